// Range and multirange codecs on PostgreSQL 18 fixtures (TimeZone UTC): bounds, inclusivity,
// unbounded and empty ranges, infinite bounds, quoting, and both formats.
import { describe, expect, it } from 'vitest'
import { DataError } from '../../src/errors/index.js'
import {
  type CatalogTypeRow,
  defaultTypes,
  OID,
  PgTimestamp,
  Range,
} from '../../src/types/index.js'
import { valuesEqual } from './arbitraries.js'
import { fromBinary, fromText, toHex } from './helpers.js'

const ts = (iso: string) => new PgTimestamp(Date.parse(iso))

const fixtures: [oid: number, text: string, binary: string, value: unknown][] = [
  [OID.int4range, '[1,5)', '0200000004000000010000000400000005', new Range(1, 5)],
  [OID.int4range, 'empty', '01', Range.empty()],
  [OID.int4range, '(,6)', '080000000400000006', new Range(null, 6)],
  [OID.int8range, '(,)', '18', new Range(null, null, '()')],
  [
    OID.numrange,
    '[1.5,2.5]',
    '060000000c0002000000000001000113880000000c000200000000000100021388',
    new Range('1.5', '2.5', '[]'),
  ],
  [OID.numrange, '(,0.5)', '080000000a0001ffff000000011388', new Range(null, '0.5', '()')],
  [
    OID.daterange,
    '[2020-01-01,infinity)',
    '020000000400001c89000000047fffffff',
    new Range<unknown>('2020-01-01', Number.POSITIVE_INFINITY),
  ],
  [OID.daterange, '(,2020-01-03)', '080000000400001c8b', new Range(null, '2020-01-03')],
  [
    OID.tstzrange,
    '["2020-01-01 00:00:00+00","2020-02-01 00:00:00+00")',
    '020000000800023e0786c26000000000080002407723d70000',
    new Range(ts('2020-01-01T00:00:00Z'), ts('2020-02-01T00:00:00Z')),
  ],
  [
    OID.tstzrange,
    '(-infinity,"2020-01-01 00:00:00.000001+00"]',
    '040000000880000000000000000000000800023e0786c26001',
    new Range<unknown>(
      Number.NEGATIVE_INFINITY,
      new PgTimestamp(Date.parse('2020-01-01T00:00:00Z'), 1),
      '(]',
    ),
  ],
  [
    OID.tsrange,
    '["2020-01-01 00:00:00","2020-01-02 00:00:00")',
    '020000000800023e0786c260000000000800023e1ba499c000',
    new Range(ts('2020-01-01T00:00:00Z'), ts('2020-01-02T00:00:00Z')),
  ],
  [OID.int8multirange, '{}', '00000000', []],
  [
    OID.int8multirange,
    '{[1,3),[5,7)}',
    '0000000200000019020000000800000000000000010000000800000000000000030000001902000000080000000000000005000000080000000000000007',
    [new Range(1n, 3n), new Range(5n, 7n)],
  ],
  [
    OID.int8multirange,
    '{(,3),[5,)}',
    '000000020000000d080000000800000000000000030000000d12000000080000000000000005',
    [new Range(null, 3n), new Range(5n, null)],
  ],
  [
    OID.datemultirange,
    '{[2020-01-01,2020-01-03)}',
    '0000000100000011020000000400001c890000000400001c8b',
    [new Range('2020-01-01', '2020-01-03')],
  ],
]

describe('ranges and multiranges on PostgreSQL 18 fixtures', () => {
  for (const [oid, text, binary, value] of fixtures) {
    const name = defaultTypes.typeName(oid)
    it(`decodes ${name} ${text} from text and binary`, () => {
      expect(valuesEqual(fromText(oid, text), value)).toBe(true)
      expect(valuesEqual(fromBinary(oid, binary), value)).toBe(true)
    })
    it(`encodes ${name} ${text} to the server's bytes and literal`, () => {
      const codec = defaultTypes.codec(oid)
      expect(toHex(codec.encodeBinary!(value))).toBe(binary)
      expect(valuesEqual(fromText(oid, codec.encodeText(value)), value)).toBe(true)
    })
  }
})

describe('Range', () => {
  it('never marks an unbounded side inclusive, and the empty range has no bounds', () => {
    const r = new Range(null, 5, '[]')
    expect([r.lowerInclusive, r.upperInclusive, r.bounds]).toEqual([false, true, '(]'])
    const e = Range.empty<number>()
    expect([e.empty, e.lower, e.upper, e.lowerInclusive, e.upperInclusive]).toEqual([
      true,
      null,
      null,
      false,
      false,
    ])
  })

  it('writes its literal with toPostgres(), quoting bounds as range_out does', () => {
    expect(new Range(1, 5).toPostgres()).toBe('[1,5)')
    expect(Range.empty().toPostgres()).toBe('empty')
    expect(new Range(null, null).toPostgres()).toBe('(,)')
    expect(new Range('a b', 'c"d').toPostgres()).toBe('["a b","c""d")')
    expect(new Range('', 'a').toPostgres()).toBe('["",a)')
    expect(new Range<unknown>(new Date(0), Number.POSITIVE_INFINITY).toPostgres()).toBe(
      '[1970-01-01T00:00:00.000+00:00,Infinity)',
    )
  })

  it('is sent as a parameter without a declared type through toPostgres()', () => {
    expect(defaultTypes.encodeParameter(new Range(1, 5, '[]'), 0, 0)).toEqual({
      format: 0,
      value: '[1,5]',
    })
  })
})

describe('ranges of a user type with quoted bounds', () => {
  const textrange: CatalogTypeRow = {
    oid: 90001,
    typname: 'textrange',
    nspname: 'public',
    typtype: 'r',
    typcategory: 'R',
    typdelim: ',',
    typelem: 0,
    typarray: 0,
    typbasetype: 0,
    typrelid: 0,
    rngsubtype: 25,
    multirange_range: null,
    visible: true,
    attnames: null,
    atttypids: null,
  }
  const registry = defaultTypes.withCatalogTypes([textrange])

  it('reads quoted bounds with doubled quotes and backslashes, as range_out prints them', () => {
    const cases: [string, Range<string>][] = [
      ['["a b","c""d")', new Range('a b', 'c"d')],
      ['["",a)', new Range('', 'a')],
      ['["(",")")', new Range('(', ')')],
      ['[a,"z\\\\\\\\")', new Range('a', 'z\\\\')],
      ['("a,b","c]d"]', new Range('a,b', 'c]d', '(]')],
    ]
    for (const [text, value] of cases) {
      expect(valuesEqual(fromText(90001, text, registry), value)).toBe(true)
      expect(registry.codec(90001).encodeText(value)).toBe(text)
    }
  })

  it('rejects malformed range text with a DataError', () => {
    for (const bad of ['[a', 'a,b)', '[a,b', '[a,b)x', '("a,b)']) {
      expect(() => fromText(90001, bad, registry)).toThrow(DataError)
    }
  })
})
