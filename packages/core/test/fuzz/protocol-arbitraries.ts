/**
 * fast-check arbitraries for protocol messages (both directions) and helpers shared by the fuzz files.
 * Test-only: imports the codec and fast-check, never sockets, timers or other layers.
 */
import fc from 'fast-check'
import type { ServerErrorFields } from '../../src/errors/base.js'
import { ProtocolError } from '../../src/errors/client.js'
import {
  type AuthResponseKind,
  type BackendMessage,
  ERROR_FIELD_CODES,
  encodeBackendMessage,
  encodeFrontendMessage,
  type FormatCode,
  type FrontendMessage,
  Writer,
} from '../../src/protocol/index.js'

/** Text without NUL (cstrings cannot carry one), any Unicode code point otherwise. */
export const text = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\0', '_'))
const nonEmptyText = text.filter((s) => s.length > 0)
const bytes = fc.uint8Array({ maxLength: 24 })
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff })
const uint32 = fc.integer({ min: 0, max: 0xffffffff })
const int16 = fc.integer({ min: -0x8000, max: 0x7fff })
const format = fc.constantFrom<FormatCode>(0, 1)
const nullable = fc.option(bytes, { nil: null })

const errorFields: fc.Arbitrary<ServerErrorFields> = fc.record(
  Object.fromEntries(ERROR_FIELD_CODES.map(([, name]) => [name, text])) as {
    [K in keyof Required<ServerErrorFields>]: fc.Arbitrary<string>
  },
  { requiredKeys: [] },
)

const copyResponse = <T extends 'CopyInResponse' | 'CopyOutResponse' | 'CopyBothResponse'>(
  type: T,
) =>
  fc.record({
    type: fc.constant(type),
    format,
    columnFormats: fc.array(format, { maxLength: 5 }),
  })

/** Any valid backend message (payload sizes kept small so runs stay fast). */
export const backendMessage: fc.Arbitrary<BackendMessage> = fc.oneof(
  fc.constantFrom<BackendMessage>(
    { type: 'AuthenticationOk' },
    { type: 'AuthenticationKerberosV5' },
    { type: 'AuthenticationCleartextPassword' },
    { type: 'AuthenticationGSS' },
    { type: 'AuthenticationSSPI' },
    { type: 'EmptyQueryResponse' },
    { type: 'ParseComplete' },
    { type: 'BindComplete' },
    { type: 'CloseComplete' },
    { type: 'NoData' },
    { type: 'PortalSuspended' },
    { type: 'CopyDone' },
    { type: 'ReadyForQuery', status: 'I' },
    { type: 'ReadyForQuery', status: 'T' },
    { type: 'ReadyForQuery', status: 'E' },
  ),
  fc.record({
    type: fc.constant('AuthenticationMD5Password' as const),
    salt: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  }),
  fc.record({ type: fc.constant('AuthenticationGSSContinue' as const), data: bytes }),
  fc.record({
    type: fc.constant('AuthenticationSASL' as const),
    mechanisms: fc.array(nonEmptyText, { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('AuthenticationSASLContinue' as const), data: bytes }),
  fc.record({ type: fc.constant('AuthenticationSASLFinal' as const), data: bytes }),
  fc.record({
    type: fc.constant('BackendKeyData' as const),
    processId: int32,
    secretKey: fc.uint8Array({ minLength: 4, maxLength: 256 }),
  }),
  fc.record({ type: fc.constant('ParameterStatus' as const), name: text, value: text }),
  fc.record({
    type: fc.constant('RowDescription' as const),
    fields: fc.array(
      fc.record({
        name: text,
        tableOid: uint32,
        columnAttr: int16,
        typeOid: uint32,
        typeSize: int16,
        typeModifier: int32,
        format,
      }),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    type: fc.constant('DataRow' as const),
    values: fc.array(nullable, { maxLength: 6 }),
  }),
  fc.record({ type: fc.constant('CommandComplete' as const), tag: text }),
  fc.record({ type: fc.constant('ErrorResponse' as const), fields: errorFields }),
  fc.record({ type: fc.constant('NoticeResponse' as const), fields: errorFields }),
  fc.record({
    type: fc.constant('NotificationResponse' as const),
    processId: int32,
    channel: text,
    payload: text,
  }),
  fc.record({
    type: fc.constant('ParameterDescription' as const),
    typeOids: fc.array(uint32, { maxLength: 5 }),
  }),
  copyResponse('CopyInResponse'),
  copyResponse('CopyOutResponse'),
  copyResponse('CopyBothResponse'),
  fc.record({ type: fc.constant('CopyData' as const), data: bytes }),
  fc.record({ type: fc.constant('FunctionCallResponse' as const), result: nullable }),
  fc.record({
    type: fc.constant('NegotiateProtocolVersion' as const),
    newestMinorVersion: int32,
    unrecognizedOptions: fc.array(text, { maxLength: 3 }),
  }),
)

/** The untyped packets a client may send before its StartupMessage. */
export const preStartupPacket: fc.Arbitrary<FrontendMessage> = fc.oneof(
  fc.constantFrom<FrontendMessage>({ type: 'SSLRequest' }, { type: 'GSSENCRequest' }),
  fc.record({
    type: fc.constant('CancelRequest' as const),
    processId: int32,
    secretKey: fc.uint8Array({ minLength: 4, maxLength: 256 }),
  }),
)

/** A StartupMessage for any 3.x minor version. */
export const startupMessage: fc.Arbitrary<FrontendMessage> = fc.record({
  type: fc.constant('StartupMessage' as const),
  protocolVersion: fc.integer({ min: 0, max: 0xffff }).map((minor) => (3 << 16) | minor),
  parameters: fc.dictionary(nonEmptyText, text, { maxKeys: 4, noNullPrototype: true }),
})

/** Any valid typed frontend message (after the startup packet). */
export const typedFrontendMessage: fc.Arbitrary<FrontendMessage> = fc.oneof(
  fc.constantFrom<FrontendMessage>(
    { type: 'Sync' },
    { type: 'Flush' },
    { type: 'CopyDone' },
    { type: 'Terminate' },
  ),
  fc.record({ type: fc.constant('PasswordMessage' as const), password: text }),
  fc.record({
    type: fc.constant('SASLInitialResponse' as const),
    mechanism: text,
    data: nullable,
  }),
  fc.record({ type: fc.constant('SASLResponse' as const), data: bytes }),
  fc.record({ type: fc.constant('GSSResponse' as const), data: bytes }),
  fc.record({ type: fc.constant('Query' as const), query: text }),
  fc.record({
    type: fc.constant('Parse' as const),
    name: text,
    query: text,
    paramTypes: fc.array(uint32, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('Bind' as const),
    portal: text,
    statement: text,
    paramFormats: fc.array(int16, { maxLength: 3 }),
    params: fc.array(nullable, { maxLength: 4 }),
    resultFormats: fc.array(int16, { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('Describe' as const),
    target: fc.constantFrom<'S' | 'P'>('S', 'P'),
    name: text,
  }),
  fc.record({
    type: fc.constant('Execute' as const),
    portal: text,
    maxRows: fc.integer({ min: 0, max: 0x7fffffff }),
  }),
  fc.record({
    type: fc.constant('Close' as const),
    target: fc.constantFrom<'S' | 'P'>('S', 'P'),
    name: text,
  }),
  fc.record({ type: fc.constant('CopyData' as const), data: bytes }),
  fc.record({ type: fc.constant('CopyFail' as const), message: text }),
  fc.record({
    type: fc.constant('FunctionCall' as const),
    functionOid: uint32,
    argFormats: fc.array(int16, { maxLength: 3 }),
    args: fc.array(nullable, { maxLength: 3 }),
    resultFormat: int16,
  }),
)

/** A whole client conversation: optional pre-startup packets, StartupMessage, typed messages. */
export const frontendConversation: fc.Arbitrary<FrontendMessage[]> = fc
  .tuple(
    fc.array(preStartupPacket, { maxLength: 2 }),
    startupMessage,
    fc.array(typedFrontendMessage, { maxLength: 12 }),
  )
  .map(([pre, startup, typed]) => [...pre, startup, ...typed])

/** The AuthResponseKind a fake server must set to read `m`, if `m` is a `p` message. */
export function authKindOf(m: FrontendMessage | undefined): AuthResponseKind | undefined {
  switch (m?.type) {
    case 'PasswordMessage':
    case 'SASLInitialResponse':
    case 'SASLResponse':
    case 'GSSResponse':
      return m.type
    default:
      return undefined
  }
}

/** Encodes backend messages back to back. */
export function encodeBackendStream(messages: readonly BackendMessage[]): Uint8Array {
  const w = new Writer()
  for (const m of messages) encodeBackendMessage(w, m)
  return w.flush()
}

/** Encodes frontend messages back to back. */
export function encodeFrontendStream(messages: readonly FrontendMessage[]): Uint8Array {
  const w = new Writer()
  for (const m of messages) encodeFrontendMessage(w, m)
  return w.flush()
}

/** Cut points for `split`, as arbitrary naturals reduced modulo the stream length. */
export const cuts = fc.array(fc.nat(), { maxLength: 24 })

/** Splits `stream` at `points` (mod its length) into chunks that are views of it. */
export function split(stream: Uint8Array, points: readonly number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => (stream.length === 0 ? 0 : p % stream.length)))].sort(
    (a, b) => a - b,
  )
  const chunks: Uint8Array[] = []
  let prev = 0
  for (const p of at) {
    if (p > prev) chunks.push(stream.subarray(prev, p))
    prev = Math.max(prev, p)
  }
  chunks.push(stream.subarray(prev))
  return chunks
}

/** Deep-copies a decoded message so its byte views survive the decoder's next push. */
export function detach<T>(value: T): T {
  if (value instanceof Uint8Array) return value.slice() as T
  if (Array.isArray(value)) return value.map(detach) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = detach(v)
    return out as T
  }
  return value
}

/** Fails the property unless `err` is a ProtocolError with a message naming something. */
export function expectProtocolError(err: unknown): void {
  if (!(err instanceof ProtocolError) || err.message.length === 0) {
    throw new Error(`expected a ProtocolError, got ${String(err)}`, { cause: err })
  }
}

/** What both decoders expose to the hostile-input properties. */
export interface AnyDecoder {
  push(chunk: Uint8Array): void
  next(): unknown
  readonly capacity: number
  readonly bufferedBytes: number
  readonly poisoned: boolean
}

/** What happened when hostile chunks were fed to a decoder. */
export interface HostileOutcome {
  /** The first error thrown, if any (the run stops there). */
  error: unknown
  /** Messages decoded before the error or the end of input. */
  decoded: number
  /** Largest scratch capacity seen after any push. */
  peakCapacity: number
  /** Bytes pushed in total. */
  pushed: number
  /** Longest chunk pushed. */
  longestChunk: number
}

/** Pushes each chunk and drains the decoder after it, stopping at the first error. */
export function feed(
  decoder: AnyDecoder,
  chunks: readonly Uint8Array[],
  beforeNext?: () => void,
): HostileOutcome {
  const outcome: HostileOutcome = {
    error: undefined,
    decoded: 0,
    peakCapacity: 0,
    pushed: 0,
    longestChunk: 0,
  }
  try {
    for (const chunk of chunks) {
      decoder.push(chunk)
      outcome.pushed += chunk.length
      outcome.longestChunk = Math.max(outcome.longestChunk, chunk.length)
      outcome.peakCapacity = Math.max(outcome.peakCapacity, decoder.capacity)
      for (;;) {
        beforeNext?.()
        if (decoder.next() === undefined) break
        outcome.decoded++
      }
    }
  } catch (err) {
    outcome.error = err
  }
  return outcome
}

/**
 * The safety contract on hostile input: only ProtocolError escapes, a failed decoder stays
 * poisoned, scratch space never outgrows the bytes received or the message limit, and
 * whatever is left waiting is shorter than one maximal message.
 */
export function expectSafeOutcome(
  decoder: AnyDecoder,
  outcome: HostileOutcome,
  maxMessageSize: number,
): void {
  // Plain checks: this runs hundreds of thousands of times per fuzz file.
  const fail = (what: string): never => {
    throw new Error(`${what} (${JSON.stringify({ ...outcome, error: String(outcome.error) })})`)
  }
  if (outcome.error !== undefined) {
    expectProtocolError(outcome.error)
    if (!decoder.poisoned) fail('a decoder that threw is not poisoned')
    if (!throwsProtocolError(() => decoder.push(Uint8Array.of(0)))) fail('push after an error')
    if (!throwsProtocolError(() => decoder.next())) fail('next after an error')
  } else {
    if (decoder.poisoned) fail('poisoned without throwing')
    if (decoder.bufferedBytes > maxMessageSize + 1) fail('waiting on more than one message')
  }
  if (outcome.peakCapacity > Math.max(4096, 2 * outcome.pushed)) {
    fail('scratch space outgrew the bytes received')
  }
  if (outcome.peakCapacity > Math.max(4096, 2 * (maxMessageSize + 5 + outcome.longestChunk))) {
    fail('scratch space outgrew the message limit')
  }
}

function throwsProtocolError(f: () => void): boolean {
  try {
    f()
    return false
  } catch (err) {
    return err instanceof ProtocolError
  }
}

/** Values worth writing over a length or count field of a `size`-byte frame. */
export function interestingLengths(size: number): number[] {
  return [
    -0x80000000,
    -2,
    -1,
    0,
    1,
    2,
    3,
    4,
    5,
    size - 2,
    size - 1,
    size,
    size + 1,
    0x7fff,
    0xffff,
    0x7fffffff,
  ]
}

/** A copy of `frame` with `value` written big-endian over `width` bytes at `offset`. */
export function overwrite(
  frame: Uint8Array,
  offset: number,
  width: 2 | 4,
  value: number,
): Uint8Array {
  const copy = frame.slice()
  const view = new DataView(copy.buffer)
  if (width === 4) view.setInt32(offset, value | 0)
  else view.setInt16(offset, value & 0xffff)
  return copy
}

/** A valid stream with a few bytes overwritten and possibly cut short. */
export function corrupt(
  stream: Uint8Array,
  mutations: readonly (readonly [number, number])[],
  cut: number | null,
): Uint8Array {
  const s = stream.slice()
  if (s.length === 0) return s
  for (const [i, v] of mutations) s[i % s.length] = v
  return cut === null ? s : s.subarray(0, cut % (s.length + 1))
}

/** Byte mutations for `corrupt`. */
export const mutations = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
  minLength: 1,
  maxLength: 4,
})
