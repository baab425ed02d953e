/**
 * pg's parameter preparation: every value becomes the text PostgreSQL reads for it, a Buffer
 * (sent as bytes) or null. Date → local time with its offset (UTC with
 * `defaults.parseInputDatesAsUTC`), Buffer and typed arrays → bytes, arrays → an array literal,
 * `toPostgres()` → its result, other objects → JSON, `undefined` → null, the rest → `String()`.
 */
import { InterfaceError } from '@tusk/core'
import { formatPgDate } from '@tusk/core/pg'
import { defaults } from './defaults.js'

/** What a prepared parameter is: text, bytes or NULL. */
export type PreparedValue = string | Buffer | null

/** A value that knows its PostgreSQL text (pg's `toPostgres` protocol). */
interface ToPostgres {
  toPostgres(prepare: (value: unknown) => PreparedValue): unknown
}

function hasToPostgres(value: object): value is ToPostgres {
  return typeof (value as Partial<ToPostgres>).toPostgres === 'function'
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** A Date as `YYYY-MM-DDTHH:MM:SS.mmm+00:00` in UTC (` BC` before year 1). */
function formatUtcDate(date: Date): string {
  let year = date.getUTCFullYear()
  const bc = year < 1
  if (bc) year = 1 - year
  const text =
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    `.${pad(date.getUTCMilliseconds(), 3)}+00:00`
  return bc ? `${text} BC` : text
}

function formatDate(date: Date): string {
  return defaults.parseInputDatesAsUTC ? formatUtcDate(date) : formatPgDate(date)
}

/** One array element inside an array literal: quoted and escaped, or NULL. */
function arrayElement(value: unknown, seen: unknown[]): string {
  if (value === null || value === undefined) return 'NULL'
  if (Array.isArray(value)) return arrayLiteral(value, seen)
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    return `"\\\\x${bytes.toString('hex')}"`
  }
  const text = String(prepare(value, seen))
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

function arrayLiteral(values: readonly unknown[], seen: unknown[]): string {
  return `{${values.map((v) => arrayElement(v, seen)).join(',')}}`
}

function prepare(value: unknown, seen: unknown[]): PreparedValue {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return value
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof Date) return formatDate(value)
  if (Array.isArray(value)) return arrayLiteral(value, seen)
  if (typeof value === 'object') {
    if (hasToPostgres(value)) {
      if (seen.includes(value)) {
        throw new InterfaceError(
          `circular reference detected while preparing "${String(value)}" for query`,
        )
      }
      seen.push(value)
      return prepare(
        value.toPostgres((v) => prepare(v, seen)),
        seen,
      )
    }
    return JSON.stringify(value)
  }
  return String(value)
}

/** One parameter value as `pg` sends it: text, a Buffer (bytea, sent as bytes) or null. */
export function prepareValue(value: unknown): PreparedValue {
  return prepare(value, [])
}
