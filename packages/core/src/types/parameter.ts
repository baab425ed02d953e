/**
 * Bind parameters for JS values whose type the server infers (parameter type OID 0), and
 * the NUL check every text parameter passes. Pure.
 */
import { type EncodedParameter, hasToPostgres, NULL_PARAMETER, unwrapToPostgres } from './codec.js'
import { inferredTextOrNull } from './literal.js'

/**
 * The Bind parameter for a JS value of server-inferred type; throws EncodeFailure. null and
 * undefined are NULL; strings as they are; numbers as text (`NaN`, `Infinity`, `-Infinity`, `-0`
 * spelled out); bigints as decimal text; booleans `t`/`f`; Dates as ISO 8601 in UTC (`+00:00`,
 * microseconds for PgTimestamp, ` BC` for early years; an invalid Date is an error); Uint8Array
 * (Buffer) and ArrayBuffer in binary, as bytea; arrays as array literals; objects with
 * `toPostgres()` as its result; other objects as JSON. Functions, symbols, Promises, cycles,
 * typed arrays other than Uint8Array, and objects JSON would empty (Map, Set, ...) are errors.
 */
export function encodeInferred(value: unknown): EncodedParameter {
  if (value === null || value === undefined) return NULL_PARAMETER
  if (typeof value === 'string') return { format: 0, value }
  if (typeof value === 'object') {
    if (value instanceof Uint8Array) return { format: 1, value }
    if (value instanceof ArrayBuffer) return { format: 1, value: new Uint8Array(value) }
    if (hasToPostgres(value) && !(value instanceof Date))
      return encodeInferred(unwrapToPostgres(value))
  }
  const text = inferredTextOrNull(value)
  return text === null ? NULL_PARAMETER : { format: 0, value: text }
}

/** True when a text parameter holds a NUL character, which PostgreSQL text cannot hold. */
export function hasNul(parameter: EncodedParameter): boolean {
  return (
    parameter.format === 0 && typeof parameter.value === 'string' && parameter.value.includes('\0')
  )
}

/** bytea's OID (pg_type.dat). */
const BYTEA_OID = 17

/**
 * The parameter type OID to declare in Parse for a value sent with type OID 0: bytea (17) for
 * bytes, which go in binary format and would otherwise be read as the inferred type's binary
 * form (text, for `select $1`); 0 (let the server infer) for everything else.
 */
export function inferredParameterOid(value: unknown): number {
  return value instanceof Uint8Array || value instanceof ArrayBuffer ? BYTEA_OID : 0
}
