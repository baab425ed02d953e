// Bind parameter encoding: the policy for values of server-inferred type (OID 0), encoding for a
// declared type, and the InterfaceErrors that name the parameter as $n.
import { describe, expect, it } from 'vitest'
import { InterfaceError } from '../../src/errors/index.js'
import {
  defaultTypes,
  Interval,
  inferredParameterOid,
  OID,
  PgTimestamp,
  Range,
} from '../../src/types/index.js'
import { fromBinary, hex, toHex } from './helpers.js'

const encode = (value: unknown, oid = 0, index = 0) =>
  defaultTypes.encodeParameter(value, oid, index)
const text = (value: unknown, oid = 0) => {
  const p = encode(value, oid)
  expect(p.format).toBe(0)
  return p.value
}
const binary = (value: unknown, oid: number) => {
  const p = encode(value, oid)
  expect(p.format).toBe(1)
  return toHex(p.value as Uint8Array)
}

describe('parameters of server-inferred type (OID 0)', () => {
  it('sends null and undefined as NULL', () => {
    expect(encode(null)).toEqual({ format: 0, value: null })
    expect(encode(undefined)).toEqual({ format: 0, value: null })
  })

  it('sends strings as they are, bigints and booleans as PostgreSQL text', () => {
    expect(text('héllo')).toBe('héllo')
    expect(text(-12345678901234567890n)).toBe('-12345678901234567890')
    expect(text(true)).toBe('true')
    expect(text(false)).toBe('false')
  })

  it('spells numbers as float8in reads them: NaN, Infinity, -Infinity, -0, exponents', () => {
    expect(text(42)).toBe('42')
    expect(text(1.5)).toBe('1.5')
    expect(text(Number.NaN)).toBe('NaN')
    expect(text(Number.POSITIVE_INFINITY)).toBe('Infinity')
    expect(text(Number.NEGATIVE_INFINITY)).toBe('-Infinity')
    expect(text(-0)).toBe('-0')
    expect(text(1e21)).toBe('1e+21')
    expect(text(5e-324)).toBe('5e-324')
  })

  it('sends Dates as ISO 8601 in UTC, PgTimestamp to the microsecond, BC years spelled out', () => {
    expect(text(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02T03:04:05.006+00:00')
    expect(text(new PgTimestamp(Date.UTC(2024, 0, 2), 7))).toBe('2024-01-02T00:00:00.000007+00:00')
    expect(text(new Date(Date.UTC(-44, 2, 15)))).toBe('0045-03-15T00:00:00.000+00:00 BC')
    expect(text(new Date(Date.UTC(12345, 0, 1)))).toBe('12345-01-01T00:00:00.000+00:00')
  })

  it('sends bytes (Uint8Array, Buffer, ArrayBuffer) in binary as bytea, without copying a Uint8Array', () => {
    const bytes = Uint8Array.of(0, 1, 255)
    expect(encode(bytes)).toEqual({ format: 1, value: bytes })
    expect(encode(bytes).value).toBe(bytes)
    expect(toHex(encode(Buffer.from([1, 2])).value as Uint8Array)).toBe('0102')
    expect(toHex(encode(Uint8Array.of(9).buffer).value as Uint8Array)).toBe('09')
  })

  it('declares bytes as bytea (17) and leaves everything else to the server (0)', () => {
    expect(inferredParameterOid(Uint8Array.of(1))).toBe(17)
    expect(inferredParameterOid(Buffer.from('x'))).toBe(17)
    expect(inferredParameterOid(new ArrayBuffer(1))).toBe(17)
    for (const v of ['x', 1, null, undefined, [Uint8Array.of(1)], new Date(0)])
      expect(inferredParameterOid(v)).toBe(0)
  })

  it('writes arrays as array literals: quoting, escapes, NULLs, nested dimensions, bytes as \\x', () => {
    expect(text([1, null, 'a b', 'x"y', '\\', '', 'NULL', undefined])).toBe(
      '{1,NULL,"a b","x\\"y","\\\\","","NULL",NULL}',
    )
    expect(
      text([
        [1, 2],
        [3, null],
      ]),
    ).toBe('{{1,2},{3,NULL}}')
    expect(text([])).toBe('{}')
    expect(text([Uint8Array.of(1, 2)])).toBe('{"\\\\x0102"}')
    expect(text([{ a: 1 }, true, 5n])).toBe('{"{\\"a\\":1}",true,5}')
    expect(text([new Date(0)])).toBe('{1970-01-01T00:00:00.000+00:00}')
    expect(text(['{', '}', ',', 'a\tb'])).toBe('{"{","}",",","a\tb"}')
  })

  it('sends plain objects as JSON, and objects with toPostgres() as its result', () => {
    expect(text({ a: 1, b: [1, 'x'], c: null })).toBe('{"a":1,"b":[1,"x"],"c":null}')
    expect(text({ toPostgres: () => 'custom' })).toBe('custom')
    expect(encode({ toPostgres: () => null })).toEqual({ format: 0, value: null })
    expect(encode({ toPostgres: () => Uint8Array.of(7) }).format).toBe(1)
    expect(text({ toPostgres: () => ({ toPostgres: () => 42 }) })).toBe('42')
    expect(text(new Range(1, 5))).toBe('[1,5)')
    expect(text(new Interval(1, 2, 3000000n))).toBe('P1M2DT3S')
    expect(text({ toJSON: () => 'j' })).toBe('"j"')
  })

  it('names the parameter as $n in every error, and keeps the value out of the message', () => {
    const cases: [unknown, RegExp][] = [
      [() => 1, /^cannot encode parameter \$3: functions have no PostgreSQL representation$/],
      [Symbol('s'), /^cannot encode parameter \$3: symbols have no PostgreSQL representation$/],
      [new Date(Number.NaN), /^cannot encode parameter \$3: invalid Date$/],
      [Promise.resolve(1), /\$3: a Promise has no PostgreSQL representation \(missing await\?\)/],
      [new Map([['secret', 1]]), /\$3: a Map has no PostgreSQL or JSON representation/],
      [new Set([1]), /\$3: a Set has no/],
      [Int32Array.of(1), /\$3: an Int32Array is ambiguous/],
      [{ a: 1n }, /\$3: a bigint inside an object cannot be encoded as JSON/],
      [[() => 1], /\$3: functions have no PostgreSQL representation/],
      [{ toPostgres: () => Symbol('x') }, /\$3: symbols/],
      ['a\0b', /\$3: text holds a NUL character/],
    ]
    for (const [value, message] of cases) {
      let err: unknown
      try {
        encode(value, 0, 2)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(InterfaceError)
      expect((err as Error).message).toMatch(message)
      expect((err as Error).message).not.toContain('secret')
    }
  })

  it('rejects circular objects and arrays', () => {
    const o: Record<string, unknown> = { secret: 'x' }
    o.self = o
    expect(() => encode(o, 0, 0)).toThrow(/^cannot encode parameter \$1: circular structure/)
    const a: unknown[] = [1]
    a.push(a)
    expect(() => encode(a, 0, 4)).toThrow(/^cannot encode parameter \$5: /)
    const self = {
      toPostgres(): unknown {
        return self
      },
    }
    expect(() => encode(self, 0, 0)).toThrow(/toPostgres\(\) returned its own object/)
  })
})

describe('parameters of a declared type', () => {
  it('sends integers in binary, checking range and syntax', () => {
    expect(binary(42, OID.int4)).toBe('0000002a')
    expect(binary(-1n, OID.int4)).toBe('ffffffff')
    expect(binary(' 42 ', OID.int4)).toBe('0000002a')
    expect(binary('+7', OID.int2)).toBe('0007')
    expect(binary(9007199254740993n, OID.int8)).toBe('0020000000000001')
    expect(binary('-9223372036854775808', OID.int8)).toBe('8000000000000000')
    expect(binary(4294967295, OID.oid)).toBe('ffffffff')
  })

  it('names $n and the type when an integer cannot be encoded', () => {
    const cases: [unknown, number, RegExp][] = [
      ['abc', OID.int4, /^cannot encode parameter \$1 as int4: not a decimal integer$/],
      [2 ** 40, OID.int4, /^cannot encode parameter \$1 as int4: out of range for int4$/],
      [40000, OID.int2, /as int2: out of range for int2/],
      [1.5, OID.int4, /as int4: not an integer/],
      [Number.NaN, OID.int4, /as int4: NaN is not an integer/],
      [2 ** 53, OID.int8, /as int8: not a safe integer \(pass a bigint or a decimal string\)/],
      ['9223372036854775808', OID.int8, /as int8: out of range for int8/],
      [true, OID.int4, /as int4: a boolean is not an integer/],
      [{}, OID.int4, /as int4: expected an integer/],
      [-1, OID.oid, /as oid: out of range/],
      [[1, 'x'], OID._int4, /^cannot encode parameter \$1 as int4\[\]: not a decimal integer$/],
      [[1, 2 ** 31], OID._int4, /as int4\[\]: out of range for int4/],
      [5, OID._int4, /as int4\[\]: expected an array, got a number/],
    ]
    for (const [value, oid, message] of cases) {
      expect(() => encode(value, oid, 0)).toThrow(InterfaceError)
      expect(() => encode(value, oid, 0)).toThrow(message)
    }
  })

  it('sends floats, bools, uuids, bytea, dates and timestamps in binary', () => {
    expect(binary(1.5, OID.float8)).toBe('3ff8000000000000')
    expect(binary(Number.NaN, OID.float4)).toBe('7fc00000')
    expect(binary(true, OID.bool)).toBe('01')
    expect(binary(0, OID.bool)).toBe('00')
    expect(binary('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', OID.uuid)).toBe(
      'a0eebc999c0b4ef8bb6d6bb9bd380a11',
    )
    expect(binary('{a0eebc999c0b4ef8bb6d6bb9bd380a11}', OID.uuid)).toBe(
      'a0eebc999c0b4ef8bb6d6bb9bd380a11',
    )
    expect(binary(Uint8Array.of(1, 2), OID.bytea)).toBe('0102')
    expect(binary(new Date(Date.UTC(2024, 0, 2)), OID.date)).toBe('0000223f')
    expect(binary(new PgTimestamp(Date.UTC(2000, 0, 1), 1), OID.timestamptz)).toBe(
      '0000000000000001',
    )
    expect(binary(Number.POSITIVE_INFINITY, OID.timestamptz)).toBe('7fffffffffffffff')
    expect(binary(new Range(1, 5), OID.int4range)).toBe('0200000004000000010000000400000005')
  })

  it('sends strings for parsed types as text, as they are (the server parses them)', () => {
    expect(text('2024-01-02 03:04:05+02', OID.timestamptz)).toBe('2024-01-02 03:04:05+02')
    expect(text('yes', OID.bool)).toBe('yes')
    expect(text('1.5e3', OID.float8)).toBe('1.5e3')
    expect(text('\\x0102', OID.bytea)).toBe('\\x0102')
    expect(text('{1,2}', OID._int4)).toBe('{1,2}')
    expect(text('1 day', OID.interval)).toBe('1 day')
    expect(text('12.50', OID.numeric)).toBe('12.50')
    expect(text(12.5, OID.numeric)).toBe('12.5')
    expect(text(10n ** 30n, OID.numeric)).toBe('1000000000000000000000000000000')
  })

  it('sends json as text: strings as JSON text, anything else JSON.stringify-ed (arrays too)', () => {
    expect(text({ a: 1 }, OID.jsonb)).toBe('{"a":1}')
    expect(text('[1,2]', OID.json)).toBe('[1,2]')
    expect(text([1, 'x'], OID.jsonb)).toBe('[1,"x"]')
    expect(text(5, OID.json)).toBe('5')
  })

  it('sends arrays in binary when every element has a binary form', () => {
    const p = encode(
      [
        [1, 2],
        [3, null],
      ],
      OID._int4,
    )
    expect(p.format).toBe(1)
    expect(fromBinary(OID._int4, toHex(p.value as Uint8Array))).toEqual([
      [1, 2],
      [3, null],
    ])
    expect(text(['a', null, 'b c'], OID._text)).toBe('{a,NULL,"b c"}')
  })

  it('rejects bad values for declared types with $n and the type name', () => {
    expect(() => encode('nope', OID.uuid, 6)).toThrow(
      'cannot encode parameter $7 as uuid: not a uuid',
    )
    expect(() => encode(new Date(Number.NaN), OID.timestamptz, 0)).toThrow(
      'cannot encode parameter $1 as timestamptz: invalid Date',
    )
    expect(() => encode(5, OID.timestamptz, 0)).toThrow(
      'as timestamptz: expected a Date, got a number',
    )
    expect(() => encode(2, OID.bool, 0)).toThrow('as bool: expected a boolean, got a number')
    expect(() => encode({ x: 1 }, OID.point, 0)).toThrow(/as point: expected number coordinates/)
    expect(() => encode('a\0', OID.text, 1)).toThrow(
      'cannot encode parameter $2 as text: text holds a NUL',
    )
  })

  it('follows toPostgres() for declared types, and sends a Uint8Array as the raw binary form', () => {
    expect(binary({ toPostgres: () => '42' }, OID.int4)).toBe('0000002a')
    expect(encode(hex('0000002a'), OID.int4)).toEqual({ format: 1, value: hex('0000002a') })
  })

  it('encodes values of unknown OIDs as the server would infer them', () => {
    expect(encode([1, 2], 999999)).toEqual({ format: 0, value: '{1,2}' })
    expect(encode(Uint8Array.of(1), 999999).format).toBe(1)
  })
})
