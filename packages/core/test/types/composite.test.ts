// User types through CATALOG_QUERY rows (enum, domain, composite, range, multirange, arrays) and
// anonymous records, on PostgreSQL 18 fixtures.
import { describe, expect, it } from 'vitest'
import { DataError } from '../../src/errors/index.js'
import {
  CATALOG_QUERY,
  type CatalogTypeRow,
  defaultTypes,
  OID,
  Range,
} from '../../src/types/index.js'
import { valuesEqual } from './arbitraries.js'
import { fromBinary, fromText, toHex } from './helpers.js'

/** A catalog row with the columns a test does not care about filled in. */
function row(
  r: Partial<CatalogTypeRow> & Pick<CatalogTypeRow, 'oid' | 'typname' | 'typtype'>,
): CatalogTypeRow {
  return {
    nspname: 'public',
    typcategory: r.typtype === 'b' ? 'A' : 'U',
    typdelim: ',',
    typelem: 0,
    typarray: 0,
    typbasetype: 0,
    typrelid: 0,
    rngsubtype: null,
    multirange_range: null,
    visible: true,
    attnames: null,
    atttypids: null,
    ...r,
  }
}

// What CATALOG_QUERY returned on PostgreSQL 18 for {person,mood,posint,s2.mood} after:
//   create type mood as enum ('sad','ok','happy'); create domain posint as int4 check (value > 0);
//   create type addr as (street text, no posint, tags text[], m mood);
//   create type floatrange as range (subtype = float8); create schema s2; create type s2.mood as enum ('x');
//   create type person as (name text, home addr, r floatrange);
// (int8 columns arrive as bigint or strings depending on the mapping: both are accepted.)
const rows: CatalogTypeRow[] = [
  row({ oid: 16388n, typname: '_mood', typtype: 'b', typelem: 16389n }),
  row({ oid: 16389n, typname: 'mood', typtype: 'e', typarray: 16388n }),
  row({ oid: '16395', typname: '_posint', typtype: 'b', typelem: '16396' }),
  row({ oid: '16396', typname: 'posint', typtype: 'd', typarray: '16395', typbasetype: '23' }),
  row({ oid: 16399, typname: '_addr', typtype: 'b', typelem: 16400 }),
  row({
    oid: 16400,
    typname: 'addr',
    typtype: 'c',
    typarray: 16399,
    typrelid: 16398,
    attnames: ['street', 'no', 'tags', 'm'],
    atttypids: [25n, 16396n, 1009n, 16389n],
  }),
  row({ oid: 16401, typname: '_floatrange', typtype: 'b', typelem: 16404 }),
  row({
    oid: 16402,
    typname: 'floatmultirange',
    typtype: 'm',
    typarray: 16403,
    multirange_range: 16404,
  }),
  row({ oid: 16403, typname: '_floatmultirange', typtype: 'b', typelem: 16402 }),
  row({ oid: 16404, typname: 'floatrange', typtype: 'r', typarray: 16401, rngsubtype: 701 }),
  row({
    oid: 16412,
    typname: '_mood',
    nspname: 's2',
    typtype: 'b',
    typelem: 16413,
    visible: false,
  }),
  row({
    oid: 16413,
    typname: 'mood',
    nspname: 's2',
    typtype: 'e',
    typarray: 16412,
    visible: false,
  }),
  row({ oid: 16416, typname: '_person', typtype: 'b', typelem: 16417 }),
  row({
    oid: 16417,
    typname: 'person',
    typtype: 'c',
    typarray: 16416,
    typrelid: 16415,
    attnames: ['name', 'home', 'r'],
    atttypids: [25, 16400, 16404],
  }),
]

const registry = defaultTypes.withCatalogTypes(rows)

describe('user types from catalog rows', () => {
  it('knows each type by OID and name, bare names preferring the search_path', () => {
    expect(registry.typeOid('mood')).toBe(16389)
    expect(registry.typeOid('s2.mood')).toBe(16413)
    expect(registry.typeOid('mood[]')).toBe(16388)
    expect(registry.typeName(16413)).toBe('s2.mood')
    expect(registry.typeName(16399)).toBe('addr[]')
    expect(defaultTypes.hasType(16389)).toBe(false)
  })

  it('decodes enums as their labels, in both formats, arrays included', () => {
    expect(fromText(16389, 'happy', registry)).toBe('happy')
    expect(fromBinary(16389, '6861707079', registry)).toBe('happy')
    expect(fromText(16388, '{ok,sad}', registry)).toEqual(['ok', 'sad'])
    expect(
      fromBinary(
        16388,
        '0000000100000000000040050000000200000001000000026f6b00000003736164',
        registry,
      ),
    ).toEqual(['ok', 'sad'])
  })

  it('decodes domains as their base type and names the domain in errors', () => {
    expect(fromText(16396, '5', registry)).toBe(5)
    expect(fromBinary(16396, '00000005', registry)).toBe(5)
    expect(() => fromText(16396, 'x', registry)).toThrow(DataError)
    expect(() => registry.encodeParameter('abc', 16396, 1)).toThrow(
      'cannot encode parameter $2 as posint',
    )
  })

  it('decodes composites to plain objects keyed by attribute, in both formats', () => {
    const value = { street: 'Main St', no: 5, tags: ['a', 'b c'], m: 'happy' }
    expect(fromText(16400, '("Main St",5,"{a,""b c""}",happy)', registry)).toEqual(value)
    expect(
      fromBinary(
        16400,
        '0000000400000019000000074d61696e2053740000400c0000000400000005000003f100000020000000010000000000000019000000020000000100000001610000000362206300004005000000056861707079',
        registry,
      ),
    ).toEqual(value)
    const nulls = { street: null, no: null, tags: null, m: null }
    expect(fromText(16400, '(,,,)', registry)).toEqual(nulls)
    expect(
      fromBinary(
        16400,
        '0000000400000019ffffffff0000400cffffffff000003f1ffffffff00004005ffffffff',
        registry,
      ),
    ).toEqual(nulls)
    expect(fromText(16400, '("",1,{},sad)', registry)).toEqual({
      street: '',
      no: 1,
      tags: [],
      m: 'sad',
    })
  })

  it('decodes nested composites and range attributes, and writes the server literal back', () => {
    const value = {
      name: 'Ann',
      home: { street: 'x"y', no: 1, tags: null, m: 'ok' },
      r: new Range(1.5, 2),
    }
    const text = '(Ann,"(""x""""y"",1,,ok)","[1.5,2)")'
    const binary =
      '000000030000001900000003416e6e000040100000002d0000000400000019000000037822790000400c0000000400000001000003f1ffffffff00004005000000026f6b000040140000001902000000083ff8000000000000000000084000000000000000'
    expect(valuesEqual(fromText(16417, text, registry), value)).toBe(true)
    expect(valuesEqual(fromBinary(16417, binary, registry), value)).toBe(true)
    const codec = registry.codec(16417)
    expect(codec.encodeText(value)).toBe(text)
    expect(toHex(codec.encodeBinary!(value))).toBe(binary)
  })

  it('decodes arrays of composites and multiranges of user ranges', () => {
    expect(fromText(16399, '{"(a,1,,ok)","(b,2,{x},sad)"}', registry)).toEqual([
      { street: 'a', no: 1, tags: null, m: 'ok' },
      { street: 'b', no: 2, tags: ['x'], m: 'sad' },
    ])
    expect(
      valuesEqual(fromText(16402, '{[1,2),[3,4]}', registry), [
        new Range(1, 2),
        new Range(3, 4, '[]'),
      ]),
    ).toBe(true)
  })

  it('encodes composite parameters from objects or arrays, missing attributes as NULL', () => {
    const p = registry.encodeParameter({ street: 'a b', m: 'ok' }, 16400, 0)
    expect(p.format).toBe(0)
    expect(p.value).toBe('("a b",,,ok)')
    expect(registry.codec(16400).encodeText(['x', 1, ['y'], null])).toBe('(x,1,{y},)')
    expect(() => registry.encodeParameter(['x'], 16400, 0)).toThrow(
      /\$1 as addr: addr has 4 attributes/,
    )
  })

  it('rejects a composite with the wrong field count', () => {
    expect(() => fromText(16400, '(a,1)', registry)).toThrow(/expected 4 fields/)
    expect(() => fromBinary(16400, '00000001000000190000000161', registry)).toThrow(DataError)
  })

  it('leaves the registry it extends unchanged', () => {
    expect(fromText(16389, 'happy')).toBe('happy')
    expect(() => fromBinary(16389, '6861707079')).toThrow(/unknown type \(OID 16389\)/)
  })

  it('rejects malformed rows with an InterfaceError', () => {
    expect(() =>
      defaultTypes.withCatalogTypes([row({ oid: 'x', typname: 'bad', typtype: 'e' })]),
    ).toThrow(/not an OID/)
  })
})

describe('anonymous records', () => {
  it('decodes text fields as strings and binary fields by their OIDs', () => {
    expect(fromText(OID.record, '(1,"a b",,"x""y","","a\\\\b")')).toEqual([
      '1',
      'a b',
      null,
      'x"y',
      '',
      'a\\b',
    ])
    expect(
      fromBinary(
        OID.record,
        '00000006000000170000000400000001000002c100000003612062000002c1ffffffff000002c100000003782279000002c100000000000002c100000003615c62',
      ),
    ).toEqual([1, 'a b', null, 'x"y', '', 'a\\b'])
  })

  it('reads () as one NULL field in text and zero fields in binary', () => {
    expect(fromText(OID.record, '()')).toEqual([null])
    expect(fromBinary(OID.record, '00000000')).toEqual([])
  })
})

describe('CATALOG_QUERY', () => {
  it('takes the type names as $1::text[] and returns the columns CatalogTypeRow names', () => {
    expect(CATALOG_QUERY).toContain('$1::text[]')
    for (const column of Object.keys(rows[0]!))
      expect(CATALOG_QUERY).toMatch(new RegExp(`as ${column}\\b`))
  })
})
