/**
 * The incremental backend decoder: push socket chunks, pull whole server messages one at a time.
 * Pure bytes: imports only errors and sibling codec files (no sockets, timers, promises, Node).
 */
import type { ServerErrorFields } from '../errors/base.js'
import type {
  AuthenticationMessage,
  BackendMessage,
  FieldDescription,
  ReadyForQuery,
} from './backend.js'
import { AuthCode } from './backend.js'
import type { FormatCode } from './codes.js'
import { errorFieldName } from './error-fields.js'
import { Framer } from './framer.js'
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

const UNBOUNDED = 0x7fffffff

const SPECS: (LengthSpec | undefined)[] = new Array(256).fill(undefined)
function spec(char: string, name: string, min: number, max = UNBOUNDED): void {
  SPECS[char.charCodeAt(0)] = { name, min, max }
}
// The server's authentication data (a SASL message, a GSS token) stays within
// PG_MAX_AUTH_TOKEN_LENGTH, 65535 (src/include/libpq/auth.h); the request code adds 4. The bound
// keeps a server that has not authenticated from making the client buffer up to maxMessageSize.
spec('R', 'Authentication', 8, 4 + 4 + 65535)
spec('K', 'BackendKeyData', 4 + 4 + 4, 4 + 4 + 256)
spec('2', 'BindComplete', 4, 4)
spec('3', 'CloseComplete', 4, 4)
spec('C', 'CommandComplete', 5)
spec('d', 'CopyData', 4)
spec('c', 'CopyDone', 4, 4)
spec('G', 'CopyInResponse', 7)
spec('H', 'CopyOutResponse', 7)
spec('W', 'CopyBothResponse', 7)
spec('D', 'DataRow', 6)
spec('I', 'EmptyQueryResponse', 4, 4)
spec('E', 'ErrorResponse', 5)
spec('V', 'FunctionCallResponse', 8)
spec('v', 'NegotiateProtocolVersion', 12)
spec('n', 'NoData', 4, 4)
spec('N', 'NoticeResponse', 5)
spec('A', 'NotificationResponse', 10)
spec('t', 'ParameterDescription', 6)
spec('S', 'ParameterStatus', 6)
spec('1', 'ParseComplete', 4, 4)
spec('s', 'PortalSuspended', 4, 4)
spec('Z', 'ReadyForQuery', 5, 5)
spec('T', 'RowDescription', 6)

/** Smallest wire size of one RowDescription column: empty name + NUL + 18 bytes of fields. */
const MIN_COLUMN_SIZE = 19

const PARSE_COMPLETE = Object.freeze({ type: 'ParseComplete' } as const)
const BIND_COMPLETE = Object.freeze({ type: 'BindComplete' } as const)
const CLOSE_COMPLETE = Object.freeze({ type: 'CloseComplete' } as const)
const NO_DATA = Object.freeze({ type: 'NoData' } as const)
const PORTAL_SUSPENDED = Object.freeze({ type: 'PortalSuspended' } as const)
const EMPTY_QUERY = Object.freeze({ type: 'EmptyQueryResponse' } as const)
const COPY_DONE = Object.freeze({ type: 'CopyDone' } as const)
const READY_IDLE: ReadyForQuery = Object.freeze({ type: 'ReadyForQuery', status: 'I' })
const READY_IN_TX: ReadyForQuery = Object.freeze({ type: 'ReadyForQuery', status: 'T' })
const READY_FAILED: ReadyForQuery = Object.freeze({ type: 'ReadyForQuery', status: 'E' })

function formatCode(r: BodyReader, value: number, what: string): FormatCode {
  if (value === 0 || value === 1) return value
  return r.fail(`${what} format code ${value} is neither 0 (text) nor 1 (binary)`)
}

/**
 * Takes DataRows read in place by {@link BackendDecoder.nextDataRow}, without a value array or a
 * view per field: field `i` is `bytes[fields[2i], fields[2i] + fields[2i + 1])`, or NULL when its
 * length `fields[2i + 1]` is -1. `bytes` and `fields` are valid during the call only.
 */
export interface DataRowSink {
  dataRow(bytes: Uint8Array, fields: Int32Array, count: number): void
}

/**
 * Decodes the server's byte stream. Call `push(chunk)` with each socket chunk, then `next()`
 * until it returns undefined (a whole message has not arrived yet). Messages are plain
 * readonly objects; payload-free ones are shared frozen singletons. DataRow values, CopyData
 * and FunctionCallResponse bytes are views into the decoder's buffer, valid only until the next
 * `push`; everything else (strings, auth data, keys) is owned by the caller.
 *
 * Any malformed input throws a ProtocolError naming the message; after that the decoder is
 * poisoned and `push`/`next` throw. A declared length is bounded by `maxMessageSize` before
 * anything is buffered towards it, and nothing is allocated from an unchecked count or length.
 */
export class BackendDecoder {
  readonly #framer = new Framer()
  readonly #reader = new BodyReader()
  readonly #maxMessageSize: number
  #failure: unknown
  /** Start and length of each field of the DataRow being read, reused from row to row. */
  #fields = new Int32Array(64)

  /** Creates a decoder; `maxMessageSize` defaults to DEFAULT_MAX_MESSAGE_SIZE (1 GiB). */
  constructor(options: DecoderOptions = {}) {
    this.#maxMessageSize = checkedMaxMessageSize(options)
  }

  /** Unread bytes held (complete messages not yet pulled plus any partial one). */
  get bufferedBytes(): number {
    return this.#framer.available
  }

  /** Bytes of scratch space allocated for joining chunks (for tests and metrics). */
  get capacity(): number {
    return this.#framer.capacity
  }

  /** True once a protocol error was thrown; the decoder then refuses all input. */
  get poisoned(): boolean {
    return this.#failure !== undefined
  }

  /**
   * Queues a socket chunk. The chunk may be kept by reference (not copied) until it is read,
   * so it must not be modified afterwards; views from earlier `next()` calls become invalid.
   */
  push(chunk: Uint8Array): void {
    if (this.#failure !== undefined) throw poisonedError(this.#failure)
    this.#framer.push(chunk)
  }

  /**
   * Copies unread bytes out of the last pushed chunk, so its owner may reuse that memory (a
   * transport reading into one buffer); views from earlier `next()` calls become invalid.
   */
  release(): void {
    this.#framer.release()
  }

  /** Returns the next whole message, or undefined until more bytes are pushed. */
  next(): BackendMessage | undefined {
    if (this.#failure !== undefined) throw poisonedError(this.#failure)
    try {
      return this.#next()
    } catch (err) {
      this.#failure = err
      throw err
    }
  }

  /**
   * When the next whole message is a DataRow, checks it as `next()` would, hands it to `sink`
   * (no value array, no view per field) and returns true. Returns false, consuming nothing, when
   * the next message is of another type or has not fully arrived. A malformed DataRow throws the
   * ProtocolError `next()` would throw and poisons the decoder; what `sink` throws passes through.
   */
  nextDataRow(sink: DataRowSink): boolean {
    if (this.#failure !== undefined) throw poisonedError(this.#failure)
    const f = this.#framer
    if (f.end - f.pos < 5 || f.buf[f.pos] !== 0x44) return false
    let count: number
    try {
      if (!this.#frame(0x44)) return false
      const r = this.#reader
      count = r.uint16('the field count')
      if (count * 2 > this.#fields.length) this.#fields = new Int32Array(count * 2)
      scanDataRow(r, count, this.#fields)
    } catch (err) {
      this.#failure = err
      throw err
    }
    sink.dataRow(this.#reader.bytes, this.#fields, count)
    return true
  }

  #next(): BackendMessage | undefined {
    const f = this.#framer
    if (f.end === f.pos) return undefined
    const code = f.buf[f.pos]!
    if (!this.#frame(code)) return undefined
    return parseBody(code, this.#reader)
  }

  /**
   * Frames the message of type `code` at the read position: true (and the reader set on its
   * body, the position past it) when it has fully arrived, false when more bytes are needed.
   */
  #frame(code: number): boolean {
    const f = this.#framer
    const avail = f.end - f.pos
    const s = SPECS[code]
    if (s === undefined) {
      throw protocolError(undefined, `unknown backend message type byte ${describeByte(code)}`)
    }
    if (avail < 5) return false
    const length = f.data.getInt32(f.pos + 1)
    checkLength(s, length, this.#maxMessageSize)
    const frame = length + 1
    if (avail < frame) {
      f.frameHint = frame
      return false
    }
    f.frameHint = 0
    const start = f.pos + 5
    const end = f.pos + frame
    f.pos = end
    this.#reader.reset(f.buf, f.data, start, end, s.name)
    return true
  }
}

/** Decodes one backend message body already framed in `r`. */
function parseBody(code: number, r: BodyReader): BackendMessage {
  switch (code) {
    case 0x44: // D
      return parseDataRow(r)
    case 0x43: {
      // C
      const tag = r.cstring('the command tag')
      r.done('the command tag')
      return { type: 'CommandComplete', tag }
    }
    case 0x5a: // Z
      return parseReadyForQuery(r)
    case 0x54: // T
      return parseRowDescription(r)
    case 0x31: // 1
      return PARSE_COMPLETE
    case 0x32: // 2
      return BIND_COMPLETE
    case 0x33: // 3
      return CLOSE_COMPLETE
    case 0x6e: // n
      return NO_DATA
    case 0x73: // s
      return PORTAL_SUSPENDED
    case 0x49: // I
      return EMPTY_QUERY
    case 0x63: // c
      return COPY_DONE
    case 0x64: // d
      return { type: 'CopyData', data: r.restView() }
    case 0x52: // R
      return parseAuthentication(r)
    case 0x4b: {
      // K
      const processId = r.int32('the process ID')
      return { type: 'BackendKeyData', processId, secretKey: r.restCopy() }
    }
    case 0x53: {
      // S
      const name = r.cstring('the parameter name')
      const value = r.cstring('the parameter value')
      r.done('the parameter value')
      return { type: 'ParameterStatus', name, value }
    }
    case 0x45: // E
      return { type: 'ErrorResponse', fields: parseErrorFields(r) }
    case 0x4e: // N
      return { type: 'NoticeResponse', fields: parseErrorFields(r) }
    case 0x41: {
      // A
      const processId = r.int32('the process ID')
      const channel = r.cstring('the channel name')
      const payload = r.cstring('the payload')
      r.done('the payload')
      return { type: 'NotificationResponse', processId, channel, payload }
    }
    case 0x74: // t
      return parseParameterDescription(r)
    case 0x47: // G
    case 0x48: // H
    case 0x57: // W
      return parseCopyResponse(code, r)
    case 0x56: // V
      return parseFunctionCallResponse(r)
    case 0x76: // v
      return parseNegotiateProtocolVersion(r)
    default:
      return r.fail(`no decoder for type byte ${describeByte(code)}`)
  }
}

/** Field starts and lengths for parseDataRow; read back before it returns, so one is shared. */
let rowScratch = new Int32Array(64)

/** DataRow as a message: its fields as views (see scanDataRow for the checks). */
function parseDataRow(r: BodyReader): BackendMessage {
  const count = r.uint16('the field count')
  if (count * 2 > rowScratch.length) rowScratch = new Int32Array(count * 2)
  const fields = rowScratch
  scanDataRow(r, count, fields)
  const bytes = r.bytes
  const values: (Uint8Array | null)[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const start = fields[2 * i]!
    const n = fields[2 * i + 1]!
    values[i] = n < 0 ? null : bytes.subarray(start, start + n)
  }
  return { type: 'DataRow', values }
}

/**
 * Checks the `count` fields of a DataRow body (after its field count) and writes the start and
 * length of field i to `out[2i]` and `out[2i + 1]` (length -1 for NULL). The hot path: reads are
 * inlined.
 */
function scanDataRow(r: BodyReader, count: number, out: Int32Array): void {
  const data = r.data
  const end = r.end
  let p = r.pos
  if (count * 4 > end - p) {
    r.fail(`${count} fields cannot fit in the ${r.bodyLength}-byte body`)
  }
  for (let i = 0; i < count; i++) {
    if (end - p < 4) r.fail(`body ends inside the length of field ${i}`)
    const n = data.getInt32(p)
    p += 4
    if (n < 0) {
      if (n !== -1) r.fail(`field ${i} has length ${n}; only -1 (NULL) may be negative`)
    } else if (n > end - p) {
      r.fail(`field ${i} length ${n} overruns the message body (${r.bodyLength} bytes)`)
    }
    out[2 * i] = p
    out[2 * i + 1] = n
    if (n > 0) p += n
  }
  r.pos = p
  // Checked here rather than with r.done(), whose message argument would be built for every row.
  if (p !== end) r.done(`${count} fields`)
}

function parseReadyForQuery(r: BodyReader): ReadyForQuery {
  const status = r.uint8('the transaction status')
  if (status === 0x49) return READY_IDLE
  if (status === 0x54) return READY_IN_TX
  if (status === 0x45) return READY_FAILED
  return r.fail(`unknown transaction status byte ${describeByte(status)}`)
}

function parseRowDescription(r: BodyReader): BackendMessage {
  const count = r.uint16('the column count')
  if (count * MIN_COLUMN_SIZE > r.remaining) {
    r.fail(`${count} columns cannot fit in the ${r.bodyLength}-byte body`)
  }
  const fields: FieldDescription[] = []
  for (let i = 0; i < count; i++) {
    const name = r.cstring(`the name of column ${i}`)
    r.need(18, `column ${i}`)
    const tableOid = r.uint32('')
    const columnAttr = r.int16('')
    const typeOid = r.uint32('')
    const typeSize = r.int16('')
    const typeModifier = r.int32('')
    const format = formatCode(r, r.int16(''), `column ${i}`)
    fields.push({ name, tableOid, columnAttr, typeOid, typeSize, typeModifier, format })
  }
  r.done(`${count} columns`)
  return { type: 'RowDescription', fields }
}

function parseAuthentication(r: BodyReader): AuthenticationMessage {
  const code = r.int32('the request code')
  switch (code) {
    case AuthCode.Ok:
      exact(r, 'AuthenticationOk', 4)
      return { type: 'AuthenticationOk' }
    case AuthCode.KerberosV5:
      exact(r, 'AuthenticationKerberosV5', 4)
      return { type: 'AuthenticationKerberosV5' }
    case AuthCode.CleartextPassword:
      exact(r, 'AuthenticationCleartextPassword', 4)
      return { type: 'AuthenticationCleartextPassword' }
    case AuthCode.MD5Password:
      exact(r, 'AuthenticationMD5Password', 8)
      return { type: 'AuthenticationMD5Password', salt: r.restCopy() }
    case AuthCode.GSS:
      exact(r, 'AuthenticationGSS', 4)
      return { type: 'AuthenticationGSS' }
    case AuthCode.SSPI:
      exact(r, 'AuthenticationSSPI', 4)
      return { type: 'AuthenticationSSPI' }
    case AuthCode.GSSContinue:
      r.name = 'AuthenticationGSSContinue'
      return { type: 'AuthenticationGSSContinue', data: r.restCopy() }
    case AuthCode.SASLContinue:
      r.name = 'AuthenticationSASLContinue'
      return { type: 'AuthenticationSASLContinue', data: r.restCopy() }
    case AuthCode.SASLFinal:
      r.name = 'AuthenticationSASLFinal'
      return { type: 'AuthenticationSASLFinal', data: r.restCopy() }
    case AuthCode.SASL: {
      r.name = 'AuthenticationSASL'
      const mechanisms: string[] = []
      for (;;) {
        const m = r.cstring('a mechanism name')
        if (m === '') break
        mechanisms.push(m)
      }
      r.done('the mechanism list')
      return { type: 'AuthenticationSASL', mechanisms }
    }
    default:
      return r.fail(`unknown request code ${code}`)
  }
}

/** Renames the message and checks a fixed body length (the docs' Int32 length, minus 4). */
function exact(r: BodyReader, name: string, bodyLength: number): void {
  r.name = name
  if (r.bodyLength !== bodyLength) {
    r.fail(`length ${r.bodyLength + 4} is wrong, must be ${bodyLength + 4}`)
  }
}

function parseErrorFields(r: BodyReader): ServerErrorFields {
  const fields: ServerErrorFields = {}
  for (;;) {
    const code = r.uint8('a field code (the list has no terminator)')
    if (code === 0) break
    const value = r.cstring(`field ${describeByte(code)}`)
    const name = errorFieldName(code)
    if (name !== undefined) fields[name] = value
  }
  r.done('the field list terminator')
  return fields
}

function parseParameterDescription(r: BodyReader): BackendMessage {
  const count = r.uint16('the parameter count')
  if (count * 4 !== r.remaining) {
    r.fail(`${count} parameter types need ${count * 4} bytes, the body has ${r.remaining} left`)
  }
  const typeOids: number[] = new Array(count)
  for (let i = 0; i < count; i++) typeOids[i] = r.uint32('')
  return { type: 'ParameterDescription', typeOids }
}

function parseCopyResponse(code: number, r: BodyReader): BackendMessage {
  const format = formatCode(r, r.uint8('the overall format'), 'the overall')
  const count = r.uint16('the column count')
  if (count * 2 !== r.remaining) {
    r.fail(`${count} column formats need ${count * 2} bytes, the body has ${r.remaining} left`)
  }
  const columnFormats: FormatCode[] = new Array(count)
  for (let i = 0; i < count; i++) columnFormats[i] = formatCode(r, r.int16(''), `column ${i}`)
  const type =
    code === 0x47 ? 'CopyInResponse' : code === 0x48 ? 'CopyOutResponse' : 'CopyBothResponse'
  return { type, format, columnFormats }
}

function parseFunctionCallResponse(r: BodyReader): BackendMessage {
  const n = r.int32('the result length')
  if (n === -1) {
    r.done('a NULL result')
    return { type: 'FunctionCallResponse', result: null }
  }
  if (n < 0) r.fail(`result length ${n} is negative`)
  if (n !== r.remaining) {
    r.fail(`result length ${n} does not match the ${r.remaining} bytes left in the body`)
  }
  return { type: 'FunctionCallResponse', result: r.restView() }
}

function parseNegotiateProtocolVersion(r: BodyReader): BackendMessage {
  const newestMinorVersion = r.int32('the newest minor version')
  const count = r.int32('the option count')
  if (count < 0 || count > r.remaining) {
    r.fail(`option count ${count} cannot fit in the ${r.bodyLength}-byte body`)
  }
  const unrecognizedOptions: string[] = []
  for (let i = 0; i < count; i++) unrecognizedOptions.push(r.cstring(`option ${i}`))
  r.done(`${count} options`)
  return { type: 'NegotiateProtocolVersion', newestMinorVersion, unrecognizedOptions }
}
