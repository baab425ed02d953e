/**
 * fast-check generators of JS values for each type the registry maps, with the SQL type name
 * and OID, in the canonical form PostgreSQL prints back; for local and server round trips.
 */
import fc from 'fast-check'
import { bytesToHex } from '../../src/types/bytea.js'
import {
  daysFromCivil,
  formatCivilDate,
  formatOffset,
  formatTimeOfDay,
} from '../../src/types/calendar.js'
import { shortestFloat4 } from '../../src/types/float.js'
import {
  type Circle,
  Interval,
  type Line,
  OID,
  type Path,
  PgTimestamp,
  type Point,
  Range,
} from '../../src/types/index.js'
import { defaultTypes } from '../../src/types/registry.js'

/** One type: SQL name, OID, a value generator and how to compare decoded values. */
export interface TypeArbitrary {
  /** The SQL type name, usable in a cast (`int4`, `int4[]`, `timestamptz`). */
  readonly name: string
  readonly oid: number
  /** Values as the default registry decodes them (what a round trip must give back). */
  readonly arbitrary: fc.Arbitrary<unknown>
  /** Equality of a sent and a received value (default: `valuesEqual`). */
  readonly equals?: (a: unknown, b: unknown) => boolean
  /** The type has no binary codec in the registry: round-trip it in text only. */
  readonly textOnly?: boolean
}

/** Deep equality for decoded values: Object.is for numbers, bytes, Dates with microseconds, classes. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b)
  if (a === b) return true
  if (a instanceof Date || b instanceof Date) {
    if (!(a instanceof Date && b instanceof Date)) return false
    const micro = (d: Date) => (d instanceof PgTimestamp ? d.microseconds : 0)
    return Object.is(a.getTime(), b.getTime()) && micro(a) === micro(b)
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && bytesToHex(a) === bytesToHex(b)
  }
  if (a instanceof Interval || b instanceof Interval) {
    return (
      a instanceof Interval &&
      b instanceof Interval &&
      a.months === b.months &&
      a.days === b.days &&
      a.microseconds === b.microseconds
    )
  }
  if (a instanceof Range || b instanceof Range) {
    return (
      a instanceof Range &&
      b instanceof Range &&
      a.empty === b.empty &&
      a.lowerInclusive === b.lowerInclusive &&
      a.upperInclusive === b.upperInclusive &&
      valuesEqual(a.lower, b.lower) &&
      valuesEqual(a.upper, b.upper)
    )
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => valuesEqual(x, b[i]))
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a).sort()
    const kb = Object.keys(b).sort()
    if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false
    return ka.every((k) =>
      valuesEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  }
  return false
}

/** JSON with keys sorted and -0 as 0 (jsonb's view of a value). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
    }
    return v
  })
}

/** Equality of JSON values as jsonb keeps them (key order and -0 not kept). */
export function jsonEquals(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/** Text without NUL (PostgreSQL text cannot hold it), any Unicode code point otherwise. */
export const pgText = fc
  .string({ unit: 'binary', maxLength: 40 })
  .map((s) => s.replaceAll('\0', '_'))

const int2 = fc.integer({ min: -32768, max: 32767 })
const int4 = fc.integer({ min: -2147483648, max: 2147483647 })
const int8 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n)
const float8 = fc.double()
const float4 = fc.float().map(shortestFloat4)
const finite = fc.double({ noNaN: true, noDefaultInfinity: true })

/** A numeric as numeric_out prints it: canonical digits, the scale kept. */
export const numericText = fc
  .oneof(
    { weight: 20, arbitrary: fc.tuple(fc.boolean(), fc.bigInt(0n, 10n ** 40n), fc.nat(30)) },
    { weight: 1, arbitrary: fc.constantFrom('NaN', 'Infinity', '-Infinity') },
  )
  .map((x) => {
    if (typeof x === 'string') return x
    const [negative, digits, scale] = x
    const s = digits.toString().padStart(scale + 1, '0')
    const text = scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`
    return negative && digits !== 0n ? `-${text}` : text
  })

/** Days since 1970-01-01 PostgreSQL dates hold (4714-11-24 BC to 5874897-12-31). */
const MIN_DAYS = daysFromCivil(-4713, 11, 24)
const MAX_DAYS = daysFromCivil(5874897, 12, 31)

/** A date as the default registry returns it: `YYYY-MM-DD[ BC]`, or ±Infinity. */
export const dateValue = fc
  .oneof(
    { weight: 30, arbitrary: fc.integer({ min: MIN_DAYS, max: MAX_DAYS }) },
    { weight: 30, arbitrary: fc.integer({ min: -800000, max: 800000 }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  )
  .map((d) => {
    if (!Number.isFinite(d)) return d
    const { text, bc } = formatCivilDate(d)
    return bc ? `${text} BC` : text
  })

/** Microseconds since 1970 from 4714-11-24 BC to the end of a JS Date's range. */
const MIN_MICROS = BigInt(MIN_DAYS) * 86400000000n
const MAX_MICROS = 8640000000000000n * 1000n

/** A timestamp as the default registry returns it: PgTimestamp, or ±Infinity. */
export const timestampValue = fc
  .oneof(
    { weight: 30, arbitrary: fc.bigInt(MIN_MICROS, MAX_MICROS) },
    { weight: 30, arbitrary: fc.bigInt(-(10n ** 17n), 10n ** 17n) },
    { weight: 1, arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  )
  .map((v) => (typeof v === 'bigint' ? PgTimestamp.fromEpochMicroseconds(v) : v))

/** A time as PostgreSQL prints it (`HH:MM:SS[.ffffff]`, up to 24:00:00). */
export const timeValue = fc.integer({ min: 0, max: 86400000000 }).map(formatTimeOfDay)

/** A timetz as PostgreSQL prints it (offsets up to ±15:59:59). */
export const timetzValue = fc
  .tuple(fc.integer({ min: 0, max: 86400000000 }), fc.integer({ min: -57599, max: 57599 }))
  .map(([t, z]) => formatTimeOfDay(t) + formatOffset(z))

/** An interval (fields short of PostgreSQL 17's infinity sentinels). */
export const intervalValue = fc
  .tuple(
    fc.integer({ min: -2147483647, max: 2147483646 }),
    fc.integer({ min: -2147483647, max: 2147483646 }),
    fc.bigInt(-(2n ** 63n) + 1n, 2n ** 63n - 2n),
  )
  .map(([m, d, us]) => new Interval(m, d, us))

/** A uuid as PostgreSQL prints it. */
export const uuidValue = fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] })

/**
 * JSON values jsonb can hold (no NUL in strings), except top-level strings: a JS string parameter
 * is JSON text, so the JSON string "a" is sent as JSON.stringify('a') (see json.ts).
 */
export const jsonValue = fc
  .jsonValue({ maxDepth: 3 })
  .filter((v) => typeof v !== 'string' && !JSON.stringify(v).includes('\\u0000'))

/**
 * Elements of json[]/jsonb[]: nested JS arrays are dimensions of the SQL array, so elements are
 * JSON objects, numbers and booleans (and SQL NULL).
 */
export const jsonElementValue = jsonValue.filter((v) => !Array.isArray(v) && v !== null)

const byteArb = fc.integer({ min: 0, max: 255 })

/** An inet as PostgreSQL prints it (IPv4 or IPv6, with a mask when not full). */
export const inetValue = fc
  .tuple(
    fc.boolean(),
    fc.array(byteArb, { minLength: 16, maxLength: 16 }),
    fc.integer({ min: 0, max: 128 }),
  )
  .map(([v4, bytes, bits]) => {
    const family = v4 ? 2 : 3
    const size = v4 ? 4 : 16
    const mask = v4 ? bits % 33 : bits
    const b = Uint8Array.from([family, mask, 0, size, ...bytes.slice(0, size)])
    return defaultTypes.codec(OID.inet).decodeBinary!(b) as string
  })

/** A cidr as PostgreSQL prints it (host bits zero, mask always shown). */
export const cidrValue = fc
  .tuple(
    fc.boolean(),
    fc.array(byteArb, { minLength: 16, maxLength: 16 }),
    fc.integer({ min: 0, max: 128 }),
  )
  .map(([v4, bytes, bits]) => {
    const size = v4 ? 4 : 16
    const mask = v4 ? bits % 33 : bits
    const addr = bytes.slice(0, size).map((x, i) => {
      const keep = Math.max(0, Math.min(8, mask - i * 8))
      return x & ((0xff << (8 - keep)) & 0xff)
    })
    const b = Uint8Array.from([v4 ? 2 : 3, mask, 1, size, ...addr])
    return defaultTypes.codec(OID.cidr).decodeBinary!(b) as string
  })

const macOf = (n: number) =>
  fc
    .array(byteArb, { minLength: n, maxLength: n })
    .map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'))

const bits = fc.array(fc.constantFrom('0', '1'), { maxLength: 64 }).map((b) => b.join(''))

const point: fc.Arbitrary<Point> = fc.record({ x: float8, y: float8 })
const finitePoint: fc.Arbitrary<Point> = fc.record({ x: finite, y: finite })
/** A line; line_in rejects A and B both within 1e-6 of zero (geo_decls.h EPSILON). */
const line: fc.Arbitrary<Line> = fc.record({
  a: finite.filter((a) => Math.abs(a) > 1e-6),
  b: finite,
  c: finite,
})
/** A box as PostgreSQL stores it: upper-right corner first. */
const box = fc.tuple(finitePoint, finitePoint).map(([p, q]) => [
  { x: Math.max(p.x, q.x), y: Math.max(p.y, q.y) },
  { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y) },
])
const path: fc.Arbitrary<Path> = fc.record({
  closed: fc.boolean(),
  points: fc.array(point, { minLength: 1, maxLength: 5 }),
})
const circle: fc.Arbitrary<Circle> = fc.record({
  x: float8,
  y: float8,
  radius: fc.double({ min: 0, noNaN: true }),
})

/** A discrete range in canonical form (`[lower,upper)`, unbounded sides, or empty). */
function discreteRange<T>(
  arb: fc.Arbitrary<number>,
  toValue: (n: number) => T,
): fc.Arbitrary<Range<T>> {
  return fc
    .tuple(fc.option(arb, { nil: null }), fc.option(arb, { nil: null }), fc.boolean())
    .map(([a, b, empty]) => {
      if (empty) return Range.empty<T>()
      let lo = a
      let hi = b
      if (lo !== null && hi !== null && lo > hi) [lo, hi] = [hi, lo]
      if (lo !== null && hi !== null && lo === hi) return Range.empty<T>()
      return new Range(lo === null ? null : toValue(lo), hi === null ? null : toValue(hi), '[)')
    })
}

/** A continuous range over ordered values (`compare`), any inclusivity. */
function continuousRange<T>(
  arb: fc.Arbitrary<T>,
  compare: (a: T, b: T) => number,
): fc.Arbitrary<Range<T>> {
  return fc
    .tuple(
      fc.option(arb, { nil: null }),
      fc.option(arb, { nil: null }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([a, b, li, ui, empty]) => {
      if (empty) return Range.empty<T>()
      let lo = a
      let hi = b
      if (lo !== null && hi !== null && compare(lo, hi) > 0) [lo, hi] = [hi, lo]
      if (lo !== null && hi !== null && compare(lo, hi) === 0) {
        return li && ui ? new Range(lo, hi, '[]') : Range.empty<T>()
      }
      return new Range(lo, hi, `${li ? '[' : '('}${ui ? ']' : ')'}` as '[)')
    })
}

/** A multirange of disjoint, non-adjacent discrete ranges in order (as PostgreSQL normalizes them). */
function discreteMultirange<T>(
  min: number,
  max: number,
  toValue: (n: number) => T,
): fc.Arbitrary<Range<T>[]> {
  return fc.uniqueArray(fc.integer({ min, max }), { maxLength: 8 }).map((xs) => {
    const sorted = [...xs].sort((a, b) => a - b)
    const out: Range<T>[] = []
    for (let i = 0; i + 1 < sorted.length; i += 2)
      out.push(new Range(toValue(sorted[i]!), toValue(sorted[i + 1]!), '[)'))
    return out
  })
}

const compareTimestamps = (a: unknown, b: unknown): number => {
  const v = (x: unknown) =>
    typeof x === 'number'
      ? x > 0
        ? Number.MAX_VALUE
        : -Number.MAX_VALUE
      : (x as PgTimestamp).getTime() * 1000 + (x as PgTimestamp).microseconds
  return v(a) - v(b)
}

/** A numeric range bound: integers scaled to two decimals (ordered as numbers). */
const numericBound = fc.integer({ min: -1000000, max: 1000000 }).map((n) => {
  const s = Math.abs(n).toString().padStart(3, '0')
  return `${n < 0 ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`
})

const dayText = (d: number) => {
  const { text, bc } = formatCivilDate(d)
  return bc ? `${text} BC` : text
}

/** Every scalar and range type. */
const scalars: TypeArbitrary[] = [
  { name: 'bool', oid: OID.bool, arbitrary: fc.boolean() },
  { name: 'int2', oid: OID.int2, arbitrary: int2 },
  { name: 'int4', oid: OID.int4, arbitrary: int4 },
  { name: 'int8', oid: OID.int8, arbitrary: int8 },
  { name: 'oid', oid: OID.oid, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  { name: 'float4', oid: OID.float4, arbitrary: float4 },
  { name: 'float8', oid: OID.float8, arbitrary: float8 },
  { name: 'numeric', oid: OID.numeric, arbitrary: numericText },
  { name: 'text', oid: OID.text, arbitrary: pgText },
  { name: 'varchar', oid: OID.varchar, arbitrary: pgText },
  { name: 'bpchar', oid: OID.bpchar, arbitrary: pgText.map((s) => s.trimEnd()) },
  { name: 'name', oid: OID.name, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 30 }) },
  {
    name: '"char"',
    oid: OID.char,
    arbitrary: fc
      .string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 })
      .filter((c) => c > '\0' && c < '\x80'),
  },
  { name: 'bytea', oid: OID.bytea, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { name: 'uuid', oid: OID.uuid, arbitrary: uuidValue },
  { name: 'json', oid: OID.json, arbitrary: jsonValue, equals: jsonEquals },
  { name: 'jsonb', oid: OID.jsonb, arbitrary: jsonValue, equals: jsonEquals },
  { name: 'date', oid: OID.date, arbitrary: dateValue },
  { name: 'timestamp', oid: OID.timestamp, arbitrary: timestampValue },
  { name: 'timestamptz', oid: OID.timestamptz, arbitrary: timestampValue },
  { name: 'time', oid: OID.time, arbitrary: timeValue },
  { name: 'timetz', oid: OID.timetz, arbitrary: timetzValue },
  { name: 'interval', oid: OID.interval, arbitrary: intervalValue },
  { name: 'inet', oid: OID.inet, arbitrary: inetValue },
  { name: 'cidr', oid: OID.cidr, arbitrary: cidrValue },
  { name: 'macaddr', oid: OID.macaddr, arbitrary: macOf(6) },
  { name: 'macaddr8', oid: OID.macaddr8, arbitrary: macOf(8) },
  { name: 'varbit', oid: OID.varbit, arbitrary: bits },
  // A bare `bit` cast means bit(1): longer strings are covered by varbit.
  { name: 'bit', oid: OID.bit, arbitrary: fc.constantFrom('0', '1') },
  { name: 'point', oid: OID.point, arbitrary: point },
  { name: 'line', oid: OID.line, arbitrary: line },
  { name: 'lseg', oid: OID.lseg, arbitrary: fc.tuple(point, point) },
  { name: 'box', oid: OID.box, arbitrary: box },
  { name: 'path', oid: OID.path, arbitrary: path },
  { name: 'polygon', oid: OID.polygon, arbitrary: fc.array(point, { minLength: 1, maxLength: 5 }) },
  { name: 'circle', oid: OID.circle, arbitrary: circle },
  {
    name: 'int4range',
    oid: OID.int4range,
    arbitrary: discreteRange(
      int4.filter((n) => n < 2147483647),
      (n) => n,
    ),
  },
  {
    name: 'int8range',
    oid: OID.int8range,
    arbitrary: discreteRange(fc.integer(), (n) => BigInt(n)),
  },
  {
    name: 'numrange',
    oid: OID.numrange,
    arbitrary: continuousRange(numericBound, (a, b) => Number(a) - Number(b)),
  },
  {
    name: 'daterange',
    oid: OID.daterange,
    arbitrary: discreteRange(fc.integer({ min: -800000, max: 800000 }), dayText),
  },
  {
    name: 'tsrange',
    oid: OID.tsrange,
    arbitrary: continuousRange(timestampValue as fc.Arbitrary<unknown>, compareTimestamps),
  },
  {
    name: 'tstzrange',
    oid: OID.tstzrange,
    arbitrary: continuousRange(timestampValue as fc.Arbitrary<unknown>, compareTimestamps),
  },
  {
    name: 'int4multirange',
    oid: OID.int4multirange,
    arbitrary: discreteMultirange(-1000000, 1000000, (n) => n),
  },
  {
    name: 'int8multirange',
    oid: OID.int8multirange,
    arbitrary: discreteMultirange(-1000000, 1000000, (n) => BigInt(n)),
  },
  {
    name: 'datemultirange',
    oid: OID.datemultirange,
    arbitrary: discreteMultirange(-800000, 800000, dayText),
  },
]

/** Arrays of `element`: one or two dimensions (rectangular), with NULLs. */
function arrayOf(element: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  const item = fc.option(element, { nil: null, freq: 6 })
  return fc.oneof(
    fc.array(item, { maxLength: 6 }),
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([rows, cols]) =>
      fc.array(fc.array(item, { minLength: cols, maxLength: cols }), {
        minLength: rows,
        maxLength: rows,
      }),
    ),
  )
}

/** The array type of each scalar (same equality, element by element). */
const arrays: TypeArbitrary[] = scalars
  .filter((t) => !t.name.endsWith('multirange'))
  .map((t) => {
    const info = defaultTypes.typeInfo(t.oid)
    const equals = t.equals
    const element = t.name === 'json' || t.name === 'jsonb' ? jsonElementValue : t.arbitrary
    return {
      name: `${t.name}[]`,
      oid: info!.array,
      arbitrary: arrayOf(element),
      ...(equals === undefined
        ? {}
        : {
            equals: (a: unknown, b: unknown) => {
              const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x])
              const fa = flat(a)
              const fb = flat(b)
              return (
                fa.length === fb.length &&
                fa.every((x, i) => (x === null ? fb[i] === null : equals(x, fb[i])))
              )
            },
          }),
    }
  })

/** Every type with a generator: scalars, ranges, multiranges and the arrays of all but multiranges. */
export const typeArbitraries: readonly TypeArbitrary[] = [...scalars, ...arrays]
