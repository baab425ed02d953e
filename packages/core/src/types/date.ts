/**
 * The date codec: `YYYY-MM-DD[ BC]` strings by default, Dates at UTC midnight on request,
 * ±infinity as ±Infinity; binary is days since 2000-01-01. Pure: no I/O.
 */
import { BinaryWriter, readInt32 } from './binary-io.js'
import {
  daysFromCivil,
  formatCivilDate,
  MAX_DATE_MS,
  MS_PER_DAY,
  PG_EPOCH_DAYS,
} from './calendar.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { endsWithBc, infinitySign, scanDate } from './datetime-text.js'
import { describeValue } from './describe-value.js'
import { utf8Decode } from './utf8.js'

/** How date values come back to JS. */
export type DateMode = 'string' | 'date'

/** Days from 2000-01-01 to 4714-11-24 BC, the first day PostgreSQL dates hold (Julian day 0). */
const MIN_DATE_DAYS = -2451545
/** Days from 2000-01-01 past the last day PostgreSQL dates hold (5874897-12-31). */
const MAX_DATE_DAYS = 2145031948

const ymd = [0, 0, 0]

/** Days since 1970-01-01 of ISO date text (`2024-01-02`, `0045-03-15 BC`). */
function parseDateDays(s: string): number {
  const bc = endsWithBc(s)
  const end = scanDate(s, 0, ymd, 'date')
  if (end !== (bc ? s.length - 3 : s.length)) cannotDecode('date', 'unexpected text after the date')
  return daysFromCivil(bc ? 1 - ymd[0]! : ymd[0]!, ymd[1]!, ymd[2]!)
}

/** A Date at UTC midnight of `days` since 1970-01-01, or a DataError beyond a Date's range. */
function dateAt(days: number): Date {
  const ms = days * MS_PER_DAY
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) {
    cannotDecode('date', "outside the range of a JavaScript Date (use dates: 'string')")
  }
  return new Date(ms)
}

function decodeDateBinaryDays(b: Uint8Array): number {
  if (b.length !== 4) cannotDecode('date', `expected 4 bytes, got ${b.length}`)
  const d = readInt32(b, 0)
  if (d === 0x7fffffff) return Number.POSITIVE_INFINITY
  if (d === -0x80000000) return Number.NEGATIVE_INFINITY
  return d + PG_EPOCH_DAYS
}

/** Days since 2000-01-01 of a date parameter (a Date's UTC calendar day, or ISO text), or ±Infinity. */
function dateParameterDays(value: unknown): number {
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) cannotEncode('invalid Date')
    const days = Math.floor(ms / MS_PER_DAY) - PG_EPOCH_DAYS
    if (days < MIN_DATE_DAYS || days > MAX_DATE_DAYS) cannotEncode('out of range for date')
    return days
  }
  if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) return value
  if (typeof value === 'string') {
    const sign = infinitySign(value)
    if (sign !== 0) return sign * Number.POSITIVE_INFINITY
    try {
      return parseDateDays(value) - PG_EPOCH_DAYS
    } catch {
      return cannotEncode('not a YYYY-MM-DD date')
    }
  }
  return cannotEncode(`expected a Date or a YYYY-MM-DD string, got ${describeValue(value)}`)
}

/** The date codec for a mode; Date parameters in binary (their UTC calendar day). */
export function dateCodec(mode: DateMode): Codec {
  const asDate = mode === 'date'
  const parseText = (s: string): unknown => {
    const sign = infinitySign(s)
    if (sign !== 0) return sign * Number.POSITIVE_INFINITY
    return asDate ? dateAt(parseDateDays(s)) : s
  }
  return defineCodec({
    name: 'date',
    decodeText: (b) => parseText(utf8Decode(b)),
    parseText,
    decodeBinary: (b) => {
      const days = decodeDateBinaryDays(b)
      if (days === Number.POSITIVE_INFINITY || days === Number.NEGATIVE_INFINITY) return days
      if (asDate) return dateAt(days)
      const { text, bc } = formatCivilDate(days)
      return bc ? `${text} BC` : text
    },
    encodeText: (v) => {
      const days = dateParameterDays(v)
      if (days === Number.POSITIVE_INFINITY) return 'infinity'
      if (days === Number.NEGATIVE_INFINITY) return '-infinity'
      const { text, bc } = formatCivilDate(days + PG_EPOCH_DAYS)
      return bc ? `${text} BC` : text
    },
    encodeBinary: (v) => {
      const days = dateParameterDays(v)
      const raw =
        days === Number.POSITIVE_INFINITY
          ? 0x7fffffff
          : days === Number.NEGATIVE_INFINITY
            ? -0x80000000
            : days
      return new BinaryWriter(4).int32(raw).finish()
    },
    sendBinary: true,
    owns: (v) => v instanceof Date,
    binaryFaster: asDate,
  })
}
