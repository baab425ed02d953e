/**
 * How the type codecs fail: DataError for server data they cannot decode, InterfaceError
 * naming the parameter as `$n` for JS values they cannot encode. Pure.
 */
import { DataError, InterfaceError } from '../errors/index.js'

/**
 * Thrown by an encoder for a value it cannot represent; carries only the reason. The registry
 * turns it into an InterfaceError that names the parameter and the type. Never reaches users.
 */
export class EncodeFailure extends Error {
  override readonly name = 'EncodeFailure'
}

/** Throws an EncodeFailure with `reason` (e.g. `out of range for int4`). */
export function cannotEncode(reason: string): never {
  throw new EncodeFailure(reason)
}

/** A DataError for a value of `typeName` the server sent that cannot be decoded. */
export function decodeError(typeName: string, reason: string, cause?: unknown): DataError {
  const err = new DataError(`cannot decode ${typeName}: ${reason}`, { cause })
  err.dataType = typeName
  return err
}

/** Throws `decodeError(typeName, reason)`. */
export function cannotDecode(typeName: string, reason: string): never {
  throw decodeError(typeName, reason)
}

/**
 * The InterfaceError for parameter `index` (0-based; shown as `$index+1`), naming the type when
 * one was declared. Parameter values never appear in the message.
 */
export function parameterError(
  index: number,
  typeName: string | undefined,
  reason: string,
  cause?: unknown,
): InterfaceError {
  const what = typeName === undefined ? '' : ` as ${typeName}`
  return new InterfaceError(`cannot encode parameter $${index + 1}${what}: ${reason}`, { cause })
}

/**
 * The error to throw for one raised while decoding, with `context` (e.g. `column "id"`) in the
 * message; anything but a DataError (a bug, or a custom parser's error) becomes a DataError with
 * the original as `cause`.
 */
export function withDecodeContext(err: unknown, typeName: string, context: string): DataError {
  const reason =
    err instanceof DataError
      ? err.message.replace(/^cannot decode [^:]*: /, '')
      : err instanceof Error
        ? `${err.name}: ${err.message}`
        : String(err)
  const wrapped = new DataError(`cannot decode ${typeName} (${context}): ${reason}`, { cause: err })
  wrapped.dataType = typeName
  return wrapped
}
