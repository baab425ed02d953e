/**
 * Decoder options, frame length checks and the ProtocolErrors both decoders throw.
 * Pure data: imports only errors and codes (no sockets, timers, promises or Node built-ins).
 */
import { InterfaceError } from '../errors/base.js'
import { ProtocolError } from '../errors/client.js'
import { DEFAULT_MAX_MESSAGE_SIZE } from './codes.js'

/** Options shared by BackendDecoder and FrontendDecoder. */
export interface DecoderOptions {
  /**
   * Largest declared message length accepted (the length counts its own 4 bytes); longer
   * messages throw ProtocolError before any byte of them is buffered. Default
   * DEFAULT_MAX_MESSAGE_SIZE, 1 GiB (the server's MaxAllocSize plus the length word).
   */
  maxMessageSize?: number
}

/** Length bounds of one message type; lengths count the 4-byte length word, not the type byte. */
export interface LengthSpec {
  readonly name: string
  readonly min: number
  readonly max: number
}

/** Reads and validates `maxMessageSize` (an integer in 4..2^31−1). */
export function checkedMaxMessageSize(options: DecoderOptions): number {
  const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE
  if (!Number.isInteger(max) || max < 4 || max > 0x7fffffff) {
    throw new InterfaceError(`maxMessageSize ${max} is not an integer in 4..2147483647`)
  }
  return max
}

/** A ProtocolError `"<messageType>: <detail>"` (or just `detail` when the type is unknown). */
export function protocolError(messageType: string | undefined, detail: string): ProtocolError {
  if (messageType === undefined) return new ProtocolError(detail)
  return new ProtocolError(`${messageType}: ${detail}`, { messageType })
}

/** The error a poisoned decoder throws, wrapping the failure that poisoned it. */
export function poisonedError(failure: unknown): ProtocolError {
  const first = failure instanceof ProtocolError ? failure : undefined
  const detail = failure instanceof Error ? failure.message : String(failure)
  return new ProtocolError(`decoder stopped by an earlier error: ${detail}`, {
    cause: failure,
    ...(first?.messageType === undefined ? {} : { messageType: first.messageType }),
  })
}

/** Describes byte `b` for an error message, e.g. `0x7a ('z')`. */
export function describeByte(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`
  return b >= 0x20 && b < 0x7f ? `${hex} ('${String.fromCharCode(b)}')` : hex
}

/** Throws a ProtocolError naming the message unless `length` fits `spec` and the decoder's limit. */
export function checkLength(spec: LengthSpec, length: number, maxMessageSize: number): void {
  if (length < 4) {
    throw protocolError(spec.name, `length ${length} is below 4 (the length counts itself)`)
  }
  if (length > maxMessageSize) {
    throw protocolError(spec.name, `length ${length} exceeds maxMessageSize (${maxMessageSize})`)
  }
  if (length >= spec.min && length <= spec.max) return
  if (spec.min === spec.max) {
    throw protocolError(spec.name, `length ${length} is wrong, must be ${spec.min}`)
  }
  if (length < spec.min) {
    throw protocolError(spec.name, `length ${length} is below the minimum of ${spec.min}`)
  }
  throw protocolError(spec.name, `length ${length} exceeds the maximum of ${spec.max}`)
}
