/**
 * Text parsers for date, timestamp and timestamptz that give the values `pg` (through pg-types
 * and postgres-date) gives: a `Date` at local midnight for a date, a `Date` read in the process's
 * local time zone for a timestamp without time zone, the instant for a timestamptz, and the
 * numbers `Infinity` / `-Infinity` for PostgreSQL's infinities; and the parameter text `pg`
 * writes for a `Date`. Pure functions: no imports.
 */

const INFINITE = /^-?infinity$/
const DATE_ONLY = /^(\d+)-(\d\d)-(\d\d)( BC)?$/
const DATE_TIME = /(\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?.*?( BC)?$/
const ZONE = /([Z+-])(\d\d)?:?(\d\d)?:?(\d\d)?/

/** Year 1 BC is year 0 of the proleptic calendar `Date` uses, 2 BC is -1, and so on. */
function astronomicalYear(digits: string, bc: boolean): number {
  const year = Number.parseInt(digits, 10)
  return bc ? 1 - year : year
}

/** `new Date(y, …)` and `Date.UTC(y, …)` read years 0–99 as 1900–1999: undo that. */
function twoDigitYear(year: number): boolean {
  return year >= 0 && year < 100
}

/** The zone offset of `text` in ms east of UTC, or undefined when it has none. */
function zoneOffsetMs(text: string): number | undefined {
  if (text.endsWith('+00')) return 0
  const time = text.split(' ')[1]
  if (time === undefined) return undefined
  const m = ZONE.exec(time)
  if (m === null) return undefined
  if (m[1] === 'Z') return 0
  const seconds =
    Number.parseInt(m[2] ?? '', 10) * 3600 +
    Number.parseInt(m[3] ?? '0', 10) * 60 +
    Number.parseInt(m[4] ?? '0', 10)
  return (m[1] === '-' ? -seconds : seconds) * 1000
}

/** A date's text (`2024-01-15`, `0044-03-15 BC`) as a `Date` at local midnight. */
function localMidnight(text: string): Date | null {
  const m = DATE_ONLY.exec(text)
  if (m === null) return null
  const year = astronomicalYear(m[1]!, m[4] !== undefined)
  const date = new Date(year, Number.parseInt(m[2]!, 10) - 1, Number(m[3]))
  if (twoDigitYear(year)) date.setFullYear(year)
  return date
}

/**
 * Parses the text PostgreSQL prints for a date, timestamp or timestamptz (DateStyle ISO) as `pg`
 * does: a `Date` (local time when the text has no zone), `Infinity`/`-Infinity`, or null when the
 * text is not in that form. Fractions below a millisecond are truncated.
 */
export function parsePgDateTime(text: string): Date | number | null {
  if (INFINITE.test(text)) return text.startsWith('-') ? -Infinity : Infinity
  const m = DATE_TIME.exec(text)
  if (m === null) return localMidnight(text)
  const year = astronomicalYear(m[1]!, m[8] !== undefined)
  const month = Number.parseInt(m[2]!, 10) - 1
  const day = Number(m[3])
  const hour = Number.parseInt(m[4]!, 10)
  const minute = Number.parseInt(m[5]!, 10)
  const second = Number.parseInt(m[6]!, 10)
  const ms = m[7] === undefined ? 0 : 1000 * Number.parseFloat(m[7])
  const offset = zoneOffsetMs(text)
  if (offset === undefined) {
    const local = new Date(year, month, day, hour, minute, second, ms)
    if (twoDigitYear(year)) local.setFullYear(year)
    return local
  }
  const utc = new Date(Date.UTC(year, month, day, hour, minute, second, ms))
  if (twoDigitYear(year)) utc.setUTCFullYear(year)
  if (offset !== 0) utc.setTime(utc.getTime() - offset)
  return utc
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/**
 * A `Date` as the parameter text `pg` sends for it (a valid `Date`; the caller checks): local time with the local offset
 * (`2024-01-15T10:30:00.000+05:30`), ` BC` for years before 1. PostgreSQL reads it as that instant
 * for timestamptz and as the local wall-clock time for timestamp and date, as it does from `pg`.
 */
export function formatPgDate(date: Date): string {
  let year = date.getFullYear()
  const bc = year < 1
  if (bc) year = 1 - year
  const offsetMinutes = -date.getTimezoneOffset()
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return (
    `${pad(year, 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}` +
    (bc ? ' BC' : '')
  )
}
