/**
 * Proleptic Gregorian calendar arithmetic (days ↔ year/month/day, 1 BC = year 0) and the ISO
 * text PostgreSQL prints and reads (`0045-03-15 BC`, years past 9999). Pure.
 */

/** Milliseconds in a day. */
export const MS_PER_DAY = 86400000
/** Days from 1970-01-01 to 2000-01-01, PostgreSQL's binary epoch (POSTGRES_EPOCH_JDATE). */
export const PG_EPOCH_DAYS = 10957
/** Milliseconds from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_MS = PG_EPOCH_DAYS * MS_PER_DAY
/** The largest |ms| a JS Date holds (ECMA-262 TimeClip). */
export const MAX_DATE_MS = 8.64e15

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year, month 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = month > 2 ? month - 3 : month + 9
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** A calendar date, filled in place by `civilFromDays`. */
export interface CivilDate {
  year: number
  month: number
  day: number
}

/** Fills `out` with the date `days` after 1970-01-01 and returns it. */
export function civilFromDays(days: number, out: CivilDate): CivilDate {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  out.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  out.month = month
  out.day = day
  return out
}

/** `n` as at least two digits. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** `n` as at least `width` digits. */
export function padDigits(n: number, width: number): string {
  const s = String(n)
  return s.length >= width ? s : '0'.repeat(width - s.length) + s
}

const scratch: CivilDate = { year: 0, month: 0, day: 0 }

/**
 * `YYYY-MM-DD` for `days` since 1970-01-01, and whether the date is BC (the caller appends
 * ` BC` where PostgreSQL puts it: after the time, for timestamps).
 */
export function formatCivilDate(days: number): { text: string; bc: boolean } {
  const c = civilFromDays(days, scratch)
  const bc = c.year <= 0
  const year = bc ? 1 - c.year : c.year
  return { text: `${padDigits(year, 4)}-${pad2(c.month)}-${pad2(c.day)}`, bc }
}

/** `HH:MM:SS` plus `.ffffff` with trailing zeros dropped, for a time of day in microseconds. */
export function formatTimeOfDay(micros: number): string {
  const totalSeconds = Math.floor(micros / 1e6)
  const fraction = micros - totalSeconds * 1e6
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds - h * 3600) / 60)
  const s = totalSeconds - h * 3600 - m * 60
  return `${pad2(h)}:${pad2(m)}:${pad2(s)}${formatFraction(fraction)}`
}

/** `.ffffff` for 0–999999 microseconds with trailing zeros dropped; empty for 0. */
export function formatFraction(micros: number): string {
  if (micros === 0) return ''
  let s = padDigits(micros, 6)
  let end = 6
  while (s.charCodeAt(end - 1) === 0x30) end--
  s = s.slice(0, end)
  return `.${s}`
}

/**
 * A UTC offset as PostgreSQL prints it: `+05`, `+05:30`, `-08:00:30`; `eastSeconds` is seconds
 * east of Greenwich.
 */
export function formatOffset(eastSeconds: number): string {
  const sign = eastSeconds < 0 ? '-' : '+'
  const abs = Math.abs(eastSeconds)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs - h * 3600) / 60)
  const s = abs - h * 3600 - m * 60
  let out = `${sign}${pad2(h)}`
  if (m !== 0 || s !== 0) out += `:${pad2(m)}`
  if (s !== 0) out += `:${pad2(s)}`
  return out
}

/**
 * ISO 8601 text PostgreSQL reads for an instant: `YYYY-MM-DDTHH:MM:SS.fff[fff]+00:00`, with
 * ` BC` for years before 1 AD and years past 9999 in full. `subMs` is microseconds 0–999
 * beyond `ms`; `precise` writes six fractional digits instead of three.
 */
export function formatInstant(ms: number, subMs: number, precise: boolean): string {
  const days = Math.floor(ms / MS_PER_DAY)
  const msOfDay = ms - days * MS_PER_DAY
  const { text, bc } = formatCivilDate(days)
  const totalSeconds = Math.floor(msOfDay / 1000)
  const milli = msOfDay - totalSeconds * 1000
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds - h * 3600) / 60)
  const s = totalSeconds - h * 3600 - m * 60
  const fraction = precise ? padDigits(milli * 1000 + subMs, 6) : padDigits(milli, 3)
  return `${text}T${pad2(h)}:${pad2(m)}:${pad2(s)}.${fraction}+00:00${bc ? ' BC' : ''}`
}
