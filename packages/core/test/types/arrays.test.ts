// Array codecs on PostgreSQL 18 fixtures: quoting and escaping, NULLs, empty and nested arrays,
// non-default lower bounds (dropped), the box delimiter, and binary headers.
import { describe, expect, it } from 'vitest'
import { DataError } from '../../src/errors/index.js'
import { defaultTypes, Interval, OID, type PgTimestamp, Range } from '../../src/types/index.js'
import { valuesEqual } from './arbitraries.js'
import { fromBinary, fromText, hex, toHex } from './helpers.js'

const textArrays: [text: string, binary: string, value: unknown[]][] = [
  [
    '{"a\\"b",NULL,"c,d"}',
    '000000010000000100000019000000030000000100000003612262ffffffff00000003632c64',
    ['a"b', null, 'c,d'],
  ],
  ['{}', '000000000000000000000019', []],
  [
    '{""," x","NULL","null","a\\\\b","{",é,"a}b","tab\there"}',
    '000000010000000000000019000000090000000100000000000000022078000000044e554c4c000000046e756c6c00000003615c62000000017b00000002c3a900000003617d62000000087461620968657265',
    ['', ' x', 'NULL', 'null', 'a\\b', '{', 'é', 'a}b', 'tab\there'],
  ],
]

describe('text[]', () => {
  for (const [text, binary, value] of textArrays) {
    it(`decodes ${text} from both formats and writes the server's literal back`, () => {
      expect(fromText(OID._text, text)).toEqual(value)
      expect(fromBinary(OID._text, binary)).toEqual(value)
      const codec = defaultTypes.codec(OID._text)
      expect(codec.encodeText(value)).toBe(text)
      expect(toHex(codec.encodeBinary!(value))).toBe(binary)
    })
  }

  it('reads unquoted NULL in any case, whitespace around elements, and backslash escapes', () => {
    expect(fromText(OID._text, '{ a , "b" ,NULL, null, NuLl}')).toEqual([
      'a',
      'b',
      null,
      null,
      null,
    ])
    expect(fromText(OID._text, '{"\\\\\\\\","\\""}')).toEqual(['\\\\', '"'])
    expect(fromText(OID._text, '{a\\,b,\\NULL}')).toEqual(['a,b', 'NULL'])
  })

  it('rejects malformed literals with a DataError naming the array type', () => {
    for (const bad of ['', '{', '{a', '{"a}', '{a}x', 'a', '{{a},b}x', '[1:2]{1}']) {
      expect(() => fromText(OID._text, bad)).toThrow(DataError)
    }
    expect(() => fromText(OID._int4, '{1,x}')).toThrow(/int4/)
  })
})

describe('int4[]', () => {
  it('drops non-default lower bounds: [2:3]={1,2} is [1, 2] in both formats', () => {
    expect(fromText(OID._int4, '[2:3]={1,2}')).toEqual([1, 2])
    expect(
      fromBinary(
        OID._int4,
        '000000010000000000000017000000020000000200000004000000010000000400000002',
      ),
    ).toEqual([1, 2])
    expect(fromText(OID._int4, '[0:1][-1:0]={{1,2},{3,4}}')).toEqual([
      [1, 2],
      [3, 4],
    ])
    expect(
      fromBinary(
        OID._int4,
        '000000020000000000000017000000020000000000000002ffffffff0000000400000001000000040000000200000004000000030000000400000004',
      ),
    ).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('decodes nested arrays with NULLs in both formats and encodes them back', () => {
    const value = [
      [1, 2],
      [3, null],
    ]
    const binary =
      '00000002000000010000001700000002000000010000000200000001000000040000000100000004000000020000000400000003ffffffff'
    expect(fromText(OID._int4, '{{1,2},{3,NULL}}')).toEqual(value)
    expect(fromBinary(OID._int4, binary)).toEqual(value)
    expect(toHex(defaultTypes.codec(OID._int4).encodeBinary!(value))).toBe(binary)
    expect(defaultTypes.codec(OID._int4).encodeText(value)).toBe('{{1,2},{3,NULL}}')
  })

  it('decodes three dimensions', () => {
    const binary =
      '0000000300000000000000170000000200000001000000020000000100000001000000010000000400000001000000040000000200000004000000030000000400000004'
    const value = [
      [[1], [2]],
      [[3], [4]],
    ]
    expect(fromText(OID._int4, '{{{1},{2}},{{3},{4}}}')).toEqual(value)
    expect(fromBinary(OID._int4, binary)).toEqual(value)
  })

  it('rejects hostile binary headers: too many dimensions, element counts beyond the bytes, bad lengths', () => {
    expect(() =>
      fromBinary(OID._int4, '00000007000000000000001700000001000000010000000400000001'),
    ).toThrow(DataError)
    expect(() =>
      fromBinary(OID._int4, '00000001000000000000001740000000000000010000000400000001'),
    ).toThrow(/more elements than bytes/)
    expect(() =>
      fromBinary(OID._int4, '0000000100000000000000170000000100000001000000ff00000001'),
    ).toThrow(DataError)
    expect(() =>
      fromBinary(OID._int4, '000000010000000000000017000000010000000100000004000000010000'),
    ).toThrow(DataError)
  })

  it('rejects ragged nested arrays and arrays nested past 6 dimensions when encoding', () => {
    const codec = defaultTypes.codec(OID._int4)
    expect(() => codec.encodeText([[1, 2], [3]])).toThrow(/matching/)
    expect(() => codec.encodeText([[1], 2])).toThrow(/matching/)
    expect(() => codec.encodeText([[[[[[[1]]]]]]])).toThrow(/6 dimensions/)
    const circular: unknown[] = []
    circular.push(circular)
    expect(() => codec.encodeText(circular)).toThrow(/dimensions|circular/)
  })
})

describe('arrays of other element types', () => {
  it("splits box[] on box's ';' delimiter and keeps each box's two points", () => {
    const value = [
      [
        { x: 3, y: 4 },
        { x: 1, y: 2 },
      ],
      [
        { x: 1, y: 1 },
        { x: 0, y: 0 },
      ],
    ]
    const binary =
      '00000001000000000000025b000000020000000100000020400800000000000040100000000000003ff00000000000004000000000000000000000203ff00000000000003ff000000000000000000000000000000000000000000000'
    expect(fromText(OID._box, '{(3,4),(1,2);(1,1),(0,0)}')).toEqual(value)
    expect(fromBinary(OID._box, binary)).toEqual(value)
    expect(defaultTypes.codec(OID._box).encodeText(value)).toBe('{(3,4),(1,2);(1,1),(0,0)}')
    expect(toHex(defaultTypes.codec(OID._box).encodeBinary!(value))).toBe(binary)
  })

  it('decodes bytea[] with \\x elements, empty values and NULLs', () => {
    const t = fromText(OID._bytea, '{"\\\\x00","\\\\x",NULL}') as (Uint8Array | null)[]
    const b = fromBinary(
      OID._bytea,
      '0000000100000001000000110000000300000001000000010000000000ffffffff',
    ) as (Uint8Array | null)[]
    for (const v of [t, b]) {
      expect(v.map((x) => (x === null ? null : toHex(x)))).toEqual(['00', '', null])
    }
    expect(defaultTypes.codec(OID._bytea).encodeText([hex('00'), hex(''), null])).toBe(
      '{"\\\\x00","\\\\x",NULL}',
    )
  })

  it('decodes jsonb[], timestamptz[], int4range[], int4multirange[] and record[] elements', () => {
    expect(fromText(OID._jsonb, '{"{\\"a\\": 1}","null","\\"x\\""}')).toEqual([{ a: 1 }, null, 'x'])
    const ts = fromText(OID._timestamptz, '{"2024-01-02 03:04:05.5+00",infinity}') as unknown[]
    expect((ts[0] as PgTimestamp).toISOString()).toBe('2024-01-02T03:04:05.500Z')
    expect(ts[1]).toBe(Number.POSITIVE_INFINITY)
    const ranges = fromText(OID._int4range, '{"[1,3)",empty}') as Range<number>[]
    expect(valuesEqual(ranges, [new Range(1, 3), Range.empty()])).toBe(true)
    const multi = fromText(OID._int4multirange, '{"{[1,3)}"}') as Range<number>[][]
    expect(valuesEqual(multi, [[new Range(1, 3)]])).toBe(true)
    expect(fromText(OID._record, '{"(1,\\"a b\\")","(,\\"\\")"}')).toEqual([
      ['1', 'a b'],
      [null, ''],
    ])
  })

  it('decodes interval[] and numeric[] from text', () => {
    const v = fromText(OID._interval, '{"1 day",NULL}') as (Interval | null)[]
    expect(v[0]).toBeInstanceOf(Interval)
    expect(v[1]).toBeNull()
    expect(fromText(OID._numeric, '{1.50,NaN,-0.001}')).toEqual(['1.50', 'NaN', '-0.001'])
  })

  it('falls back to a text literal when an element has no binary form (strings for timestamptz)', () => {
    const p = defaultTypes.encodeParameter(['2024-01-02 03:04:05+00', null], OID._timestamptz, 0)
    expect(p).toEqual({ format: 0, value: '{"2024-01-02 03:04:05+00",NULL}' })
    const q = defaultTypes.encodeParameter([new Date(0), null], OID._timestamptz, 0)
    expect(q.format).toBe(1)
    expect(fromBinary(OID._timestamptz, toHex(q.value as Uint8Array))).toEqual([new Date(0), null])
  })

  it('uses the element OID of a binary header for decoding (anyarray columns)', () => {
    const bytes = '00000001000000000000001700000001000000010000000400000007'
    expect(fromBinary(OID.anyarray, bytes)).toEqual([7])
  })
})
