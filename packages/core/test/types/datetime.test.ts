// Date, time, timestamp and interval codecs on PostgreSQL 18 fixtures (TimeZone UTC): BC dates,
// years past 9999, the ends of each type's range, ±infinity and microseconds.
import { describe, expect, it } from 'vitest'
import { DataError, InterfaceError } from '../../src/errors/index.js'
import { defaultTypes, Interval, OID, PgTimestamp } from '../../src/types/index.js'
import { fromBinary, fromText, hex, toHex } from './helpers.js'

/** Epoch microseconds of a PgTimestamp (or the number it decoded to). */
function micros(v: unknown): bigint | number {
  if (v instanceof PgTimestamp) return v.epochMicroseconds
  if (typeof v === 'number') return v
  throw new Error(`not a timestamp: ${String(v)}`)
}

const timestamptz: [text: string, binary: string, epochMicros: bigint | number][] = [
  ['2024-01-01 21:34:05.123456+00', '0002b0e7e8ebcf80', 1704144845123456n],
  ['0045-03-15 12:00:00.5+00 BC', 'ff1add3a6f3a9120', -63549316799500000n],
  ['10000-01-01 00:00:00.000001+00', '0380e70b913b8001', 253402300800000001n],
  ['1900-06-30 23:59:59.999999+00', 'fff4d82795525fff', -2193350400000001n],
  ['4713-11-24 00:00:00+00 BC', 'fd0f9983eb0ae000', -210835180800000000n],
  ['4714-11-24 00:00:00+00 BC', 'fd0f7cc1411fa000', -210866803200000000n],
  ['1970-01-01 00:00:00+00', 'fffca2fec4c82000', 0n],
  ['1969-12-31 23:59:59.999999+00', 'fffca2fec4c81fff', -1n],
  ['275760-09-13 00:00:00+00', '77e41537f0282000', 8640000000000000000n],
  ['infinity', '7fffffffffffffff', Number.POSITIVE_INFINITY],
  ['-infinity', '8000000000000000', Number.NEGATIVE_INFINITY],
]

describe('timestamptz', () => {
  for (const [text, binary, us] of timestamptz) {
    it(`decodes ${text} from text and binary to the same instant, and encodes it back`, () => {
      const t = fromText(OID.timestamptz, text)
      const b = fromBinary(OID.timestamptz, binary)
      expect(micros(t)).toBe(us)
      expect(micros(b)).toBe(us)
      expect(toHex(defaultTypes.codec(OID.timestamptz).encodeBinary!(b))).toBe(binary)
      expect(
        micros(fromText(OID.timestamptz, defaultTypes.codec(OID.timestamptz).encodeText(t))),
      ).toBe(us)
    })
  }

  it('applies UTC offsets with minutes and seconds (LMT zones)', () => {
    expect(micros(fromText(OID.timestamptz, '2024-01-02 08:34:05.5+05:30'))).toBe(1704164645500000n)
    expect(micros(fromText(OID.timestamptz, '1800-01-01 00:17:30+00:17:30'))).toBe(
      -5364662400000000n,
    )
    expect(micros(fromText(OID.timestamptz, '2024-01-01 19:00:00-05'))).toBe(1704153600000000n)
  })

  it('returns a PgTimestamp: a Date with the microseconds kept', () => {
    const v = fromText(OID.timestamptz, '2024-01-01 21:34:05.123456+00') as PgTimestamp
    expect(v).toBeInstanceOf(Date)
    expect(v.toISOString()).toBe('2024-01-01T21:34:05.123Z')
    expect(v.microseconds).toBe(456)
    expect(v.toPostgres()).toBe('2024-01-01T21:34:05.123456+00:00')
  })

  it('writes years before 1 AD with BC and past 9999 in full, as PostgreSQL reads them', () => {
    const codec = defaultTypes.codec(OID.timestamptz)
    expect(codec.encodeText(fromText(OID.timestamptz, '0045-03-15 12:00:00.5+00 BC'))).toBe(
      '0045-03-15T12:00:00.500000+00:00 BC',
    )
    expect(codec.encodeText(new Date(Date.UTC(10000, 0, 1)))).toBe('10000-01-01T00:00:00.000+00:00')
    expect(codec.encodeText(new Date(Date.UTC(-44, 2, 15)))).toBe(
      '0045-03-15T00:00:00.000+00:00 BC',
    )
  })

  it("throws a DataError past a Date's range, and gives text with timestamps: 'string'", () => {
    expect(() => fromBinary(OID.timestamp, '7fffff5bb3b29fff')).toThrow(DataError)
    expect(() => fromText(OID.timestamp, '294276-12-31 23:59:59.999999')).toThrow(
      /timestamps: 'string'/,
    )
    const asText = defaultTypes.extend({ timestamps: 'string' })
    expect(fromBinary(OID.timestamp, '7fffff5bb3b29fff', asText)).toBe(
      '294276-12-31 23:59:59.999999',
    )
    expect(fromText(OID.timestamp, '294276-12-31 23:59:59.999999', asText)).toBe(
      '294276-12-31 23:59:59.999999',
    )
  })

  it("formats binary values like the server with timestamps: 'string' (UTC for timestamptz)", () => {
    const asText = defaultTypes.extend({ timestamps: 'string' })
    expect(fromBinary(OID.timestamptz, '0002b0e7e8ebcf80', asText)).toBe(
      '2024-01-01 21:34:05.123456+00',
    )
    expect(fromBinary(OID.timestamptz, 'ff1add3a6f3a9120', asText)).toBe(
      '0045-03-15 12:00:00.5+00 BC',
    )
    expect(fromBinary(OID.timestamptz, 'fd0f9983eb0ae000', asText)).toBe(
      '4713-11-24 00:00:00+00 BC',
    )
    expect(fromBinary(OID.timestamp, '0002b0ec8517d580', asText)).toBe('2024-01-02 03:04:05.123456')
    expect(fromBinary(OID.timestamptz, '7fffffffffffffff', asText)).toBe(Number.POSITIVE_INFINITY)
    expect(fromText(OID.timestamptz, '-infinity', asText)).toBe(Number.NEGATIVE_INFINITY)
  })

  it('reads timestamp without time zone as UTC wall-clock time', () => {
    const v = fromText(OID.timestamp, '2024-01-02 03:04:05.123456') as PgTimestamp
    expect(v.toISOString()).toBe('2024-01-02T03:04:05.123Z')
    expect(toHex(defaultTypes.codec(OID.timestamp).encodeBinary!(v))).toBe('0002b0ec8517d580')
  })

  it('rejects an invalid Date and dates before 4713 BC', () => {
    const codec = defaultTypes.codec(OID.timestamptz)
    expect(() => codec.encodeBinary!(new Date(Number.NaN))).toThrow(/invalid Date/)
    expect(() => codec.encodeBinary!(new Date(-8.64e15))).toThrow(/out of range/)
  })
})

describe('PgTimestamp', () => {
  it('keeps microseconds from epoch microseconds, negative ones included', () => {
    const t = PgTimestamp.fromEpochMicroseconds(-1n)
    expect(t.getTime()).toBe(-1)
    expect(t.microseconds).toBe(999)
    expect(t.epochMicroseconds).toBe(-1n)
  })

  it('rejects microseconds outside 0..999', () => {
    expect(() => new PgTimestamp(0, 1000)).toThrow(InterfaceError)
    expect(() => new PgTimestamp(0, 1.5)).toThrow(InterfaceError)
  })
})

const dates: [text: string, binary: string][] = [
  ['2024-01-02', '0000223f'],
  ['0045-03-15 BC', 'fff49c0e'],
  ['4713-11-24 BC', 'ffda9915'],
  ['4714-11-24 BC', 'ffda97a7'],
  ['5874897-12-31', '7fda970c'],
  ['1970-01-01', 'ffffd533'],
  ['0001-01-01', 'fff4dbf9'],
  ['0001-12-31 BC', 'fff4dbf8'],
]

describe('date', () => {
  for (const [text, binary] of dates) {
    it(`decodes ${text} to the same string from text and binary, and encodes it back`, () => {
      expect(fromText(OID.date, text)).toBe(text)
      expect(fromBinary(OID.date, binary)).toBe(text)
      expect(toHex(defaultTypes.codec(OID.date).encodeBinary!(text))).toBe(binary)
    })
  }

  it('decodes ±infinity as ±Infinity and encodes them back', () => {
    expect(fromText(OID.date, 'infinity')).toBe(Number.POSITIVE_INFINITY)
    expect(fromBinary(OID.date, '80000000')).toBe(Number.NEGATIVE_INFINITY)
    expect(defaultTypes.encodeParameter(Number.POSITIVE_INFINITY, OID.date, 0)).toEqual({
      format: 1,
      value: hex('7fffffff'),
    })
  })

  it("returns Dates at UTC midnight with dates: 'date', a DataError past a Date's range", () => {
    const r = defaultTypes.extend({ dates: 'date' })
    expect((fromText(OID.date, '2024-01-02', r) as Date).toISOString()).toBe(
      '2024-01-02T00:00:00.000Z',
    )
    expect((fromBinary(OID.date, 'fff49c0e', r) as Date).getUTCFullYear()).toBe(-44)
    expect(() => fromText(OID.date, '5874897-12-31', r)).toThrow(DataError)
    expect(fromText(OID.date, '-infinity', r)).toBe(Number.NEGATIVE_INFINITY)
  })

  it('encodes a Date as its UTC calendar day', () => {
    const bytes = defaultTypes.codec(OID.date).encodeBinary!(new Date('2024-01-02T23:59:59.999Z'))
    expect(toHex(bytes)).toBe('0000223f')
  })
})

describe('time and timetz', () => {
  it('decodes binary values to the text the server prints', () => {
    expect(fromBinary(OID.time, '000000036c97ca88')).toBe('04:05:06.789')
    expect(fromBinary(OID.time, '000000141dd76000')).toBe('24:00:00')
    expect(fromBinary(OID.time, '0000000000000000')).toBe('00:00:00')
    expect(fromBinary(OID.timetz, '000000036c97ca88ffffb2a8')).toBe('04:05:06.789+05:30')
    expect(fromBinary(OID.timetz, '000000036c8bc0800000709e')).toBe('04:05:06-08:00:30')
    expect(fromBinary(OID.timetz, '000000000000000000000000')).toBe('00:00:00+00')
  })

  it('encodes time strings to the bytes the server sends', () => {
    expect(toHex(defaultTypes.codec(OID.time).encodeBinary!('04:05:06.789'))).toBe(
      '000000036c97ca88',
    )
    expect(toHex(defaultTypes.codec(OID.timetz).encodeBinary!('04:05:06-08:00:30'))).toBe(
      '000000036c8bc0800000709e',
    )
  })
})

const intervals: [text: string, binary: string, months: number, days: number, us: bigint][] = [
  ['1 year 2 mons 3 days 04:05:06.789', '000000036c97ca88000000030000000e', 14, 3, 14706789000n],
  ['-1 days +02:03:00', '00000001b7e1dd00ffffffff00000000', 0, -1, 7380000000n],
  ['-1 years -2 mons +3 days -04:05:06', 'fffffffc93743f8000000003fffffff2', -14, 3, -14706000000n],
  ['00:00:00', '00000000000000000000000000000000', 0, 0, 0n],
  ['100:00:00', '00000053d1ac10000000000000000000', 0, 0, 360000000000n],
  ['-00:00:00.000001', 'ffffffffffffffff0000000000000000', 0, 0, -1n],
  ['1 mon -1 days', '0000000000000000ffffffff00000001', 1, -1, 0n],
  ['-00:00:06.5', 'ffffffffff9cd1600000000000000000', 0, 0, -6500000n],
]

describe('interval', () => {
  for (const [text, binary, months, days, us] of intervals) {
    it(`decodes ${text} from text and binary, and prints it back the same`, () => {
      for (const v of [fromText(OID.interval, text), fromBinary(OID.interval, binary)]) {
        expect(v).toBeInstanceOf(Interval)
        const i = v as Interval
        expect([i.months, i.days, i.microseconds]).toEqual([months, days, us])
        expect(i.toString()).toBe(text)
        expect(Interval.parse(i.toPostgres())).toEqual(i)
      }
    })
  }

  it('reads the iso_8601 and postgres_verbose IntervalStyles', () => {
    const cases: [string, string][] = [
      ['P1Y2M3DT4H5M6.789S', '1 year 2 mons 3 days 04:05:06.789'],
      ['P-1DT2H3M', '-1 days +02:03:00'],
      ['PT-6.5S', '-00:00:06.5'],
      ['PT0S', '00:00:00'],
      ['P-1Y-2M3DT-4H-5M-6S', '-1 years -2 mons +3 days -04:05:06'],
      ['@ 1 year 2 mons 3 days 4 hours 5 mins 6.789 secs', '1 year 2 mons 3 days 04:05:06.789'],
      ['@ 1 day -2 hours -3 mins ago', '-1 days +02:03:00'],
      ['@ 6.5 secs ago', '-00:00:06.5'],
      ['@ 0', '00:00:00'],
    ]
    for (const [text, postgres] of cases)
      expect(String(fromText(OID.interval, text))).toBe(postgres)
  })

  it('writes ISO 8601 for parameters (P1Y2M3DT4H5M6.789S)', () => {
    const i = new Interval(14, 3, 14706789000n)
    expect(i.toPostgres()).toBe('P1Y2M3DT4H5M6.789S')
    expect(defaultTypes.encodeParameter(i, OID.interval, 0)).toEqual({
      format: 0,
      value: 'P1Y2M3DT4H5M6.789S',
    })
    expect(new Interval(0, 0, -6500000n).toPostgres()).toBe('PT-6.5S')
    expect(new Interval().toPostgres()).toBe('PT0S')
  })

  it('decodes PostgreSQL 17 infinities as ±Infinity', () => {
    expect(fromText(OID.interval, 'infinity')).toBe(Number.POSITIVE_INFINITY)
    expect(fromBinary(OID.interval, '7fffffffffffffff7fffffff7fffffff')).toBe(
      Number.POSITIVE_INFINITY,
    )
    expect(fromBinary(OID.interval, '80000000000000008000000080000000')).toBe(
      Number.NEGATIVE_INFINITY,
    )
    expect(defaultTypes.encodeParameter(Number.NEGATIVE_INFINITY, OID.interval, 0)).toEqual({
      format: 0,
      value: '-infinity',
    })
  })

  it('rejects the sql_standard style with a DataError that says what to do', () => {
    expect(() => fromText(OID.interval, '1-2 3 4:05:06')).toThrow(/IntervalStyle/)
  })
})
