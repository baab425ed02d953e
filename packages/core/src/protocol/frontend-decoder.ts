/**
 * The server side's incremental decoder of client messages (for fake servers in tests):
 * the untyped startup packet first, then typed messages. Pure bytes: no sockets, timers, promises.
 */
import {
  CANCEL_REQUEST_CODE,
  GSSENC_REQUEST_CODE,
  MAX_CANCEL_KEY_LENGTH,
  MAX_STARTUP_PACKET_LENGTH,
  MIN_CANCEL_KEY_LENGTH,
  SSL_REQUEST_CODE,
} from './codes.js'
import { Framer } from './framer.js'
import type { FrontendMessage, StartupPacket } from './frontend-messages.js'
import {
  checkedMaxMessageSize,
  checkLength,
  type DecoderOptions,
  describeByte,
  type LengthSpec,
  poisonedError,
  protocolError,
} from './limits.js'
import { BodyReader } from './reader.js'

/** How a `p` message is read: the protocol leaves it to the authentication exchange in progress. */
export type AuthResponseKind =
  | 'PasswordMessage'
  | 'SASLInitialResponse'
  | 'SASLResponse'
  | 'GSSResponse'

/** Options of FrontendDecoder. */
export interface FrontendDecoderOptions extends DecoderOptions {
  /** Largest startup packet accepted; default MAX_STARTUP_PACKET_LENGTH (10000), as the server. */
  maxStartupPacketSize?: number
}

const UNBOUNDED = 0x7fffffff

const SPECS: (LengthSpec | undefined)[] = new Array(256).fill(undefined)
function spec(char: string, name: string, min: number, max = UNBOUNDED): void {
  SPECS[char.charCodeAt(0)] = { name, min, max }
}
spec('B', 'Bind', 12)
spec('C', 'Close', 6)
spec('d', 'CopyData', 4)
spec('c', 'CopyDone', 4, 4)
spec('f', 'CopyFail', 5)
spec('D', 'Describe', 6)
spec('E', 'Execute', 9)
spec('H', 'Flush', 4, 4)
spec('F', 'FunctionCall', 14)
spec('p', 'AuthenticationResponse', 4)
spec('P', 'Parse', 8)
spec('Q', 'Query', 5)
spec('S', 'Sync', 4, 4)
spec('X', 'Terminate', 4, 4)

const SYNC = Object.freeze({ type: 'Sync' } as const)
const FLUSH = Object.freeze({ type: 'Flush' } as const)
const TERMINATE = Object.freeze({ type: 'Terminate' } as const)
const COPY_DONE = Object.freeze({ type: 'CopyDone' } as const)
const SSL_REQUEST = Object.freeze({ type: 'SSLRequest' } as const)
const GSSENC_REQUEST = Object.freeze({ type: 'GSSENCRequest' } as const)

/**
 * Decodes a client's byte stream on the server side. Until a StartupMessage arrives, packets
 * are untyped (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest); after it, typed.
 * Bind parameters, FunctionCall arguments and CopyData bytes are views into the decoder's
 * buffer, valid until the next `push`; everything else is owned by the caller. Malformed input
 * throws ProtocolError naming the message, and poisons the decoder.
 */
export class FrontendDecoder {
  readonly #framer = new Framer()
  readonly #reader = new BodyReader()
  readonly #maxMessageSize: number
  readonly #startupSpec: LengthSpec
  #failure: unknown
  #startup = true

  /** How the next `p` messages are read; set it to match the authentication request sent. */
  authResponseKind: AuthResponseKind = 'PasswordMessage'

  /** Creates a decoder that expects a startup packet first. */
  constructor(options: FrontendDecoderOptions = {}) {
    this.#maxMessageSize = checkedMaxMessageSize(options)
    const maxStartup = options.maxStartupPacketSize ?? MAX_STARTUP_PACKET_LENGTH
    this.#startupSpec = { name: 'StartupPacket', min: 8, max: maxStartup }
  }

  /** True until a StartupMessage has been decoded (SSLRequest and friends keep it true). */
  get awaitingStartup(): boolean {
    return this.#startup
  }

  /** Unread bytes held. */
  get bufferedBytes(): number {
    return this.#framer.available
  }

  /** Bytes of scratch space allocated for joining chunks. */
  get capacity(): number {
    return this.#framer.capacity
  }

  /** True once a protocol error was thrown; the decoder then refuses all input. */
  get poisoned(): boolean {
    return this.#failure !== undefined
  }

  /** Queues a chunk; kept by reference until read, so it must not be modified afterwards. */
  push(chunk: Uint8Array): void {
    if (this.#failure !== undefined) throw poisonedError(this.#failure)
    this.#framer.push(chunk)
  }

  /** Returns the next whole message, or undefined until more bytes are pushed. */
  next(): FrontendMessage | undefined {
    if (this.#failure !== undefined) throw poisonedError(this.#failure)
    try {
      return this.#startup ? this.#nextStartup() : this.#nextTyped()
    } catch (err) {
      this.#failure = err
      throw err
    }
  }

  #nextStartup(): StartupPacket | undefined {
    const f = this.#framer
    const avail = f.end - f.pos
    if (avail < 4) return undefined
    const length = f.data.getInt32(f.pos)
    checkLength(this.#startupSpec, length, this.#maxMessageSize)
    if (avail < length) {
      f.frameHint = length
      return undefined
    }
    f.frameHint = 0
    const r = this.#reader
    r.reset(f.buf, f.data, f.pos + 4, f.pos + length, 'StartupPacket')
    f.pos += length
    const code = r.int32('the request code')
    if (code === SSL_REQUEST_CODE) {
      exact(r, 'SSLRequest', 4)
      return SSL_REQUEST
    }
    if (code === GSSENC_REQUEST_CODE) {
      exact(r, 'GSSENCRequest', 4)
      return GSSENC_REQUEST
    }
    if (code === CANCEL_REQUEST_CODE) {
      r.name = 'CancelRequest'
      const processId = r.int32('the process ID')
      const n = r.remaining
      if (n < MIN_CANCEL_KEY_LENGTH || n > MAX_CANCEL_KEY_LENGTH) {
        r.fail(`secret key of ${n} bytes is outside 4..256`)
      }
      return { type: 'CancelRequest', processId, secretKey: r.restCopy() }
    }
    r.name = 'StartupMessage'
    const major = code >>> 16
    if (major !== 3) r.fail(`unsupported protocol version ${major}.${code & 0xffff}`)
    const parameters: Record<string, string> = Object.create(null)
    for (;;) {
      const name = r.cstring('a parameter name (the list has no terminator)')
      if (name === '') break
      parameters[name] = r.cstring(`the value of ${name}`)
    }
    r.done('the parameter list')
    this.#startup = false
    return { type: 'StartupMessage', protocolVersion: code, parameters }
  }

  #nextTyped(): FrontendMessage | undefined {
    const f = this.#framer
    const avail = f.end - f.pos
    if (avail === 0) return undefined
    const code = f.buf[f.pos]!
    const s = SPECS[code]
    if (s === undefined) {
      throw protocolError(undefined, `unknown frontend message type byte ${describeByte(code)}`)
    }
    if (avail < 5) return undefined
    const length = f.data.getInt32(f.pos + 1)
    checkLength(s, length, this.#maxMessageSize)
    const frame = length + 1
    if (avail < frame) {
      f.frameHint = frame
      return undefined
    }
    f.frameHint = 0
    const r = this.#reader
    r.reset(f.buf, f.data, f.pos + 5, f.pos + frame, s.name)
    f.pos += frame
    return this.#parseTyped(code, r)
  }

  #parseTyped(code: number, r: BodyReader): FrontendMessage {
    switch (code) {
      case 0x42: // B
        return parseBind(r)
      case 0x43: // C
      case 0x44: {
        // D
        const target = r.uint8('the target')
        if (target !== 0x53 && target !== 0x50) {
          r.fail(`target ${describeByte(target)} is neither 'S' nor 'P'`)
        }
        const name = r.cstring('the name')
        r.done('the name')
        return {
          type: code === 0x43 ? 'Close' : 'Describe',
          target: target === 0x53 ? 'S' : 'P',
          name,
        }
      }
      case 0x64: // d
        return { type: 'CopyData', data: r.restView() }
      case 0x63: // c
        return COPY_DONE
      case 0x66: {
        // f
        const message = r.cstring('the message')
        r.done('the message')
        return { type: 'CopyFail', message }
      }
      case 0x45: {
        // E
        const portal = r.cstring('the portal name')
        const maxRows = r.int32('the row limit')
        r.done('the row limit')
        return { type: 'Execute', portal, maxRows }
      }
      case 0x48: // H
        return FLUSH
      case 0x46: // F
        return parseFunctionCall(r)
      case 0x70: // p
        return this.#parseAuthResponse(r)
      case 0x50: {
        // P
        const name = r.cstring('the statement name')
        const query = r.cstring('the query text')
        const count = r.uint16('the parameter type count')
        if (count * 4 !== r.remaining) {
          r.fail(
            `${count} parameter types need ${count * 4} bytes, the body has ${r.remaining} left`,
          )
        }
        const paramTypes: number[] = new Array(count)
        for (let i = 0; i < count; i++) paramTypes[i] = r.uint32('')
        return { type: 'Parse', name, query, paramTypes }
      }
      case 0x51: {
        // Q
        const query = r.cstring('the query text')
        r.done('the query text')
        return { type: 'Query', query }
      }
      case 0x53: // S
        return SYNC
      case 0x58: // X
        return TERMINATE
      default:
        return r.fail(`no decoder for type byte ${describeByte(code)}`)
    }
  }

  #parseAuthResponse(r: BodyReader): FrontendMessage {
    const kind = this.authResponseKind
    r.name = kind
    switch (kind) {
      case 'PasswordMessage': {
        const password = r.cstring('the password')
        r.done('the password')
        return { type: kind, password }
      }
      case 'SASLInitialResponse': {
        const mechanism = r.cstring('the mechanism name')
        const n = r.int32('the response length')
        if (n === -1) {
          r.done('a missing initial response')
          return { type: kind, mechanism, data: null }
        }
        if (n !== r.remaining) {
          r.fail(`response length ${n} does not match the ${r.remaining} bytes left in the body`)
        }
        return { type: kind, mechanism, data: r.restCopy() }
      }
      case 'SASLResponse':
      case 'GSSResponse':
        return { type: kind, data: r.restCopy() }
    }
  }
}

/** Renames the message and checks a fixed body length (after the length word). */
function exact(r: BodyReader, name: string, bodyLength: number): void {
  r.name = name
  if (r.bodyLength !== bodyLength) {
    r.fail(`length ${r.bodyLength + 4} is wrong, must be ${bodyLength + 4}`)
  }
}

/** Reads `count` Int16 format codes after checking they fit. */
function readFormats(r: BodyReader, what: string): number[] {
  const count = r.uint16(`the ${what} count`)
  if (count * 2 > r.remaining) {
    r.fail(`${count} ${what} cannot fit in the ${r.bodyLength}-byte body`)
  }
  const formats: number[] = new Array(count)
  for (let i = 0; i < count; i++) formats[i] = r.int16('')
  return formats
}

/** Reads a counted list of length-prefixed values (-1 = NULL) as views. */
function readValues(r: BodyReader, what: string): (Uint8Array | null)[] {
  const count = r.uint16(`the ${what} count`)
  if (count * 4 > r.remaining) {
    r.fail(`${count} ${what}s cannot fit in the ${r.bodyLength}-byte body`)
  }
  const values: (Uint8Array | null)[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const n = r.int32(`the length of ${what} ${i}`)
    if (n === -1) {
      values[i] = null
    } else if (n < 0) {
      r.fail(`${what} ${i} has length ${n}; only -1 (NULL) may be negative`)
    } else if (n > r.remaining) {
      r.fail(`${what} ${i} length ${n} overruns the message body (${r.bodyLength} bytes)`)
    } else {
      values[i] = r.subview(n, '')
    }
  }
  return values
}

function parseBind(r: BodyReader): FrontendMessage {
  const portal = r.cstring('the portal name')
  const statement = r.cstring('the statement name')
  const paramFormats = readFormats(r, 'parameter format')
  const params = readValues(r, 'parameter')
  const resultFormats = readFormats(r, 'result format')
  r.done('the result formats')
  return { type: 'Bind', portal, statement, paramFormats, params, resultFormats }
}

function parseFunctionCall(r: BodyReader): FrontendMessage {
  const functionOid = r.uint32('the function OID')
  const argFormats = readFormats(r, 'argument format')
  const args = readValues(r, 'argument')
  const resultFormat = r.int16('the result format')
  r.done('the result format')
  return { type: 'FunctionCall', functionOid, argFormats, args, resultFormat }
}
