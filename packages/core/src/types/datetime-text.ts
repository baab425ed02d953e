/**
 * Scanners for the ISO date/time text PostgreSQL prints (DateStyle ISO): dates, times, UTC
 * offsets, the BC suffix, ±infinity. Pure: loops, no regexes.
 */
import { cannotDecode } from './codec-errors.js'

/** Where a scan ended and what it read; reused between calls (read it before the next scan). */
export interface ScanState {
  /** Index after the scanned part. */
  at: number
  /** The value read: days, microseconds or seconds, by scanner. */
  value: number
}

/** Reads exactly two digits at `i`, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30
  const b = s.charCodeAt(i + 1) - 0x30
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1
  return a * 10 + b
}

/**
 * Scans `YYYY-MM-DD` (a year of four or more digits) at `from` into `out` as [year, month, day];
 * returns the index after the day. Throws a DataError naming `typeName` otherwise.
 */
export function scanDate(s: string, from: number, out: number[], typeName: string): number {
  let i = from
  let year = 0
  const start = i
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) break
    year = year * 10 + d
  }
  if (i - start < 4 || s.charCodeAt(i) !== 0x2d) cannotDecode(typeName, 'expected YYYY-MM-DD')
  const month = two(s, i + 1)
  const day = two(s, i + 4)
  if (month < 1 || month > 12 || s.charCodeAt(i + 3) !== 0x2d || day < 1 || day > 31) {
    cannotDecode(typeName, 'expected YYYY-MM-DD')
  }
  out[0] = year
  out[1] = month
  out[2] = day
  return i + 6
}

/**
 * Scans `HH:MM:SS[.ffffff]` at `from` into `state` (value: microseconds since midnight; `24:00:00`
 * allowed); returns false when the text there is not a time.
 */
export function scanTime(s: string, from: number, state: ScanState): boolean {
  const h = two(s, from)
  const m = two(s, from + 3)
  const sec = two(s, from + 6)
  if (
    h < 0 ||
    m < 0 ||
    sec < 0 ||
    s.charCodeAt(from + 2) !== 0x3a ||
    s.charCodeAt(from + 5) !== 0x3a
  ) {
    return false
  }
  let i = from + 8
  let micros = 0
  if (s.charCodeAt(i) === 0x2e) {
    i++
    let scale = 100000
    const start = i
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i) - 0x30
      if (d < 0 || d > 9) break
      micros += d * scale
      scale /= 10
    }
    if (i === start || i - start > 6) return false
  }
  state.value = ((h * 60 + m) * 60 + sec) * 1000000 + micros
  state.at = i
  return true
}

/**
 * Scans a UTC offset `+HH`, `+HH:MM` or `+HH:MM:SS` at `from` into `state` (value: seconds east of
 * Greenwich); returns false when there is none.
 */
export function scanOffset(s: string, from: number, state: ScanState): boolean {
  const c = s.charCodeAt(from)
  if (c !== 0x2b && c !== 0x2d) return false
  const h = two(s, from + 1)
  if (h < 0) return false
  let seconds = h * 3600
  let i = from + 3
  if (s.charCodeAt(i) === 0x3a) {
    const m = two(s, i + 1)
    if (m < 0) return false
    seconds += m * 60
    i += 3
    if (s.charCodeAt(i) === 0x3a) {
      const sec = two(s, i + 1)
      if (sec < 0) return false
      seconds += sec
      i += 3
    }
  }
  state.value = c === 0x2d ? -seconds : seconds
  state.at = i
  return true
}

/** `s` ends with ` BC` (PostgreSQL's era suffix). */
export function endsWithBc(s: string): boolean {
  const n = s.length
  return (
    n > 3 &&
    s.charCodeAt(n - 1) === 0x43 &&
    s.charCodeAt(n - 2) === 0x42 &&
    s.charCodeAt(n - 3) === 0x20
  )
}

/** `s` is `infinity` (1), `-infinity` (-1), or neither (0). */
export function infinitySign(s: string): number {
  if (s === 'infinity') return 1
  if (s === '-infinity') return -1
  return 0
}
