// TypeRegistry: copy-on-write scoping, mapping options, custom parsers and codecs, unknown OIDs,
// prefersBinary, error context, and the generated OID table.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findBki, generateOidModule } from '../../scripts/gen-types.js'
import { DataError } from '../../src/errors/index.js'
import {
  defaultTypes,
  Interval,
  OID,
  PgTimestamp,
  Range,
  TypeRegistry,
} from '../../src/types/index.js'
import { fromBinary, fromText, hex, utf8 } from './helpers.js'

describe('scoping', () => {
  it('freezes the defaults and never changes a registry it extends', () => {
    expect(Object.isFrozen(defaultTypes)).toBe(true)
    const pool = defaultTypes.extend({ int8: 'number' })
    const query = pool.extend({ parsers: { int4: (s) => `int:${s}` } })
    expect(pool).not.toBe(defaultTypes)
    expect(fromText(OID.int8, '5')).toBe(5n)
    expect(fromText(OID.int8, '5', pool)).toBe(5)
    expect(fromText(OID.int8, '5', query)).toBe(5)
    expect(fromText(OID.int4, '5', query)).toBe('int:5')
    expect(fromText(OID.int4, '5', pool)).toBe(5)
    expect(fromText(OID.int4, '5')).toBe(5)
  })

  it('layers options: later extends override earlier ones, unset options are inherited', () => {
    const a = defaultTypes.extend({ int8: 'string', numeric: 'number' })
    const b = a.extend({ int8: 'bigint' })
    expect(b.options).toEqual({
      int8: 'bigint',
      numeric: 'number',
      dates: 'string',
      timestamps: 'date',
    })
    expect(defaultTypes.options).toEqual({
      int8: 'bigint',
      numeric: 'string',
      dates: 'string',
      timestamps: 'date',
    })
  })

  it('has no public constructor and one default instance', () => {
    expect(defaultTypes).toBeInstanceOf(TypeRegistry)
    expect(defaultTypes.extend()).toBeInstanceOf(TypeRegistry)
  })
})

describe('mapping options reach arrays and ranges', () => {
  it('applies int8, numeric, dates and timestamps to arrays, ranges and multiranges', () => {
    const r = defaultTypes.extend({
      int8: 'number',
      numeric: 'number',
      dates: 'date',
      timestamps: 'string',
    })
    expect(fromText(OID._int8, '{1,NULL,3}', r)).toEqual([1, null, 3])
    expect(fromText(OID._numeric, '{1.5}', r)).toEqual([1.5])
    expect(fromText(OID._date, '{2024-01-02}', r)).toEqual([new Date('2024-01-02T00:00:00Z')])
    expect(fromText(OID._timestamptz, '{"2024-01-02 03:04:05+00"}', r)).toEqual([
      '2024-01-02 03:04:05+00',
    ])
    expect(fromText(OID.int8range, '[1,3)', r)).toMatchObject({ lower: 1, upper: 3 })
    expect(fromText(OID.int8multirange, '{[1,3)}', r)).toMatchObject([{ lower: 1, upper: 3 }])
  })
})

describe('custom parsers', () => {
  it('applies by OID, typname, SQL alias, or array spelling, and to array elements', () => {
    const byOid = defaultTypes.extend({ parsers: { 23: (s) => Number(s) * 10 } })
    const byName = defaultTypes.extend({ parsers: { integer: (s) => Number(s) * 10 } })
    for (const r of [byOid, byName]) {
      expect(fromText(OID.int4, '5', r)).toBe(50)
      expect(fromText(OID._int4, '{1,2}', r)).toEqual([10, 20])
    }
    const whole = defaultTypes.extend({ parsers: { 'int4[]': (s) => `array ${s}` } })
    expect(fromText(OID._int4, '{1,2}', whole)).toBe('array {1,2}')
    expect(fromText(OID.int4, '1', whole)).toBe(1)
  })

  it('forces text format for the type and its arrays', () => {
    const r = defaultTypes.extend({ parsers: { timestamptz: (s) => s } })
    expect(defaultTypes.prefersBinary(OID.timestamptz)).toBe(true)
    expect(r.prefersBinary(OID.timestamptz)).toBe(false)
    expect(r.prefersBinary(OID._timestamptz)).toBe(false)
    expect(() => fromBinary(OID.timestamptz, '0000000000000000', r)).toThrow(/request text format/)
  })

  it('keeps parameter encoding of the built-in type', () => {
    const r = defaultTypes.extend({ parsers: { int4: (s) => s } })
    expect(r.encodeParameter(5, OID.int4, 0)).toEqual({ format: 1, value: hex('00000005') })
  })

  it('wraps what a parser throws in a DataError naming the type, with the original as cause', () => {
    const boom = new TypeError('boom')
    const r = defaultTypes.extend({
      parsers: {
        int4: () => {
          throw boom
        },
      },
    })
    let err: unknown
    try {
      r.decoder(OID.int4, 0, 'column "id"')(utf8('1'))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(DataError)
    expect((err as Error).message).toMatch(/int4 \(column "id"\).*boom/)
    expect((err as Error).cause).toBeInstanceOf(DataError)
  })

  it('resolves names of user types registered after the parser (catalog rows later)', () => {
    const r = defaultTypes.extend({ parsers: { mood: (s) => s.toUpperCase() } }).withCatalogTypes([
      {
        oid: 70000,
        typname: 'mood',
        nspname: 'public',
        typtype: 'e',
        typcategory: 'E',
        typdelim: ',',
        typelem: 0,
        typarray: 70001,
        typbasetype: 0,
        typrelid: 0,
        rngsubtype: null,
        multirange_range: null,
        visible: true,
        attnames: null,
        atttypids: null,
      },
      {
        oid: 70001,
        typname: '_mood',
        nspname: 'public',
        typtype: 'b',
        typcategory: 'A',
        typdelim: ',',
        typelem: 70000,
        typarray: 0,
        typbasetype: 0,
        typrelid: 0,
        rngsubtype: null,
        multirange_range: null,
        visible: true,
        attnames: null,
        atttypids: null,
      },
    ])
    expect(fromText(70000, 'ok', r)).toBe('OK')
    expect(fromText(70001, '{ok,sad}', r)).toEqual(['OK', 'SAD'])
  })
})

describe('custom codecs', () => {
  it('replaces the pieces given and keeps the built-in ones', () => {
    const r = defaultTypes.extend({
      codecs: {
        int8: { decodeBinary: (b) => `bin:${b.length}`, encode: (v) => `enc:${String(v)}` },
      },
    })
    expect(fromBinary(OID.int8, '0000000000000001', r)).toBe('bin:8')
    expect(fromText(OID.int8, '1', r)).toBe(1n)
    expect(r.encodeParameter(5n, OID.int8, 0)).toEqual({ format: 0, value: 'enc:5' })
    expect(r.encodeParameter([1n, null], OID._int8, 0)).toEqual({
      format: 0,
      value: '{enc:1,NULL}',
    })
  })

  it('asks for binary when preferBinary is set', () => {
    const r = defaultTypes.extend({
      codecs: { text: { decodeBinary: (b) => b.length, preferBinary: true } },
    })
    expect(r.prefersBinary(OID.text)).toBe(true)
    expect(defaultTypes.prefersBinary(OID.text)).toBe(false)
  })
})

describe('unknown OIDs', () => {
  it('decodes text as a string and refuses binary with a DataError naming the OID', () => {
    expect(fromText(424242, 'whatever')).toBe('whatever')
    expect(() => fromBinary(424242, '00')).toThrow(DataError)
    expect(() => fromBinary(424242, '00')).toThrow(/unknown type \(OID 424242\)/)
    expect(defaultTypes.prefersBinary(424242)).toBe(false)
    expect(defaultTypes.typeName(424242)).toBe('unknown type (OID 424242)')
  })

  it('refuses binary for built-in types with no binary decoder, naming the type', () => {
    expect(() => fromBinary(OID.tsvector, '00000000')).toThrow(
      /cannot decode tsvector: no binary decoder/,
    )
  })
})

describe('decoder context', () => {
  it('adds the context to every DataError, keeping the cause', () => {
    const d = defaultTypes.decoder(OID.int4, 1, 'column "n" of row 3')
    expect(() => d(hex('0001'))).toThrow(
      /^cannot decode int4 \(column "n" of row 3\): expected 4 bytes, got 2$/,
    )
  })

  it('returns the plain decoder when there is no context', () => {
    expect(defaultTypes.decoder(OID.int4, 1)).toBe(defaultTypes.codec(OID.int4).decodeBinary)
  })
})

describe('names and OIDs', () => {
  it('names built-in types by typname and arrays as elem[]', () => {
    expect(defaultTypes.typeName(OID.int4)).toBe('int4')
    expect(defaultTypes.typeName(OID._int4)).toBe('int4[]')
    expect(defaultTypes.typeName(OID.int2vector)).toBe('int2vector')
    expect(defaultTypes.typeName(OID._record)).toBe('record[]')
    expect(defaultTypes.typeOid('timestamp with time zone')).toBe(1184)
    expect(defaultTypes.typeOid('pg_catalog.text[]')).toBe(1009)
    expect(defaultTypes.typeOid('nope')).toBeUndefined()
  })

  it('has the OIDs of pg_type.dat', () => {
    expect([
      OID.bool,
      OID.bytea,
      OID.int8,
      OID.int2,
      OID.int4,
      OID.text,
      OID.oid,
      OID.json,
    ]).toEqual([16, 17, 20, 21, 23, 25, 26, 114])
    expect([
      OID.float4,
      OID.float8,
      OID.bpchar,
      OID.varchar,
      OID.date,
      OID.timestamp,
      OID.timestamptz,
    ]).toEqual([700, 701, 1042, 1043, 1082, 1114, 1184])
    expect([OID.numeric, OID.uuid, OID.jsonb, OID.int4range, OID.int4multirange]).toEqual([
      1700, 2950, 3802, 3904, 4451,
    ])
    expect([
      OID._bool,
      OID._int2,
      OID._int4,
      OID._int8,
      OID._text,
      OID._varchar,
      OID._float4,
      OID._float8,
    ]).toEqual([1000, 1005, 1007, 1016, 1009, 1015, 1021, 1022])
    expect([
      OID._numeric,
      OID._uuid,
      OID._date,
      OID._timestamp,
      OID._timestamptz,
      OID._json,
      OID._jsonb,
      OID._bytea,
    ]).toEqual([1231, 2951, 1182, 1115, 1185, 199, 3807, 1001])
    expect([
      OID.int8multirange,
      OID.nummultirange,
      OID.tsmultirange,
      OID.tstzmultirange,
      OID.datemultirange,
    ]).toEqual([4536, 4532, 4533, 4534, 4535])
  })

  it('oids.generated.ts is what scripts/gen-types.ts makes from the installed postgres.bki', () => {
    let source: ReturnType<typeof findBki>
    try {
      source = findBki()
    } catch {
      return
    }
    if (source.version !== '18') return
    const here = path.dirname(fileURLToPath(import.meta.url))
    const committed = path.join(here, '../../src/types/oids.generated.ts')
    expect(existsSync(committed)).toBe(true)
    expect(generateOidModule(readFileSync(source.file, 'utf8'), source.version)).toBe(
      readFileSync(committed, 'utf8'),
    )
  })
})

describe('prefersBinary', () => {
  it('asks for binary where decoding it is faster, text where it is not', () => {
    for (const oid of [
      OID.int2,
      OID.int4,
      OID.int8,
      OID.float8,
      OID.bool,
      OID.timestamptz,
      OID.interval,
      OID.bytea,
    ]) {
      expect(defaultTypes.prefersBinary(oid)).toBe(true)
    }
    for (const oid of [
      OID.text,
      OID.json,
      OID.jsonb,
      OID.numeric,
      OID.uuid,
      OID.date,
      OID.tsvector,
      OID.money,
    ]) {
      expect(defaultTypes.prefersBinary(oid)).toBe(false)
    }
    // Dates and timestamps as JS Dates decode faster from binary, as strings from text.
    expect(defaultTypes.extend({ dates: 'date' }).prefersBinary(OID.date)).toBe(true)
    expect(defaultTypes.extend({ timestamps: 'string' }).prefersBinary(OID.timestamptz)).toBe(false)
    expect(defaultTypes.prefersBinary(OID._int4)).toBe(true)
    expect(defaultTypes.prefersBinary(OID._text)).toBe(false)
  })

  it('decodes PgTimestamp in both formats alike', () => {
    const a = fromBinary(OID.timestamptz, '0000000000000001') as PgTimestamp
    const b = fromText(OID.timestamptz, '2000-01-01 00:00:00.000001+00') as PgTimestamp
    expect([a.getTime(), a.microseconds]).toEqual([b.getTime(), b.microseconds])
  })
})

describe('value classes across package copies', () => {
  it('recognize instances by a Symbol.for brand, as a second copy of the package makes them', () => {
    const foreignInterval = { [Symbol.for('tusk.types.Interval')]: true }
    const foreignRange = { [Symbol.for('tusk.types.Range')]: true }
    const foreignTimestamp = Object.assign(new Date(0), {
      [Symbol.for('tusk.types.PgTimestamp')]: true,
    })
    expect(foreignInterval instanceof Interval).toBe(true)
    expect(foreignRange instanceof Range).toBe(true)
    expect(foreignTimestamp instanceof PgTimestamp).toBe(true)
    expect(new Date(0) instanceof PgTimestamp).toBe(false)
    expect(new PgTimestamp(0) instanceof Date).toBe(true)
    expect({} instanceof Range).toBe(false)
  })

  it('extend() with no options returns the same registry and keeps its built codecs', () => {
    const r = defaultTypes.extend({ int8: 'number' })
    expect(r.extend()).toBe(r)
    expect(r.extend({ int8: undefined })).toBe(r)
    expect(r.extend({}).codec(OID.int8)).toBe(r.codec(OID.int8))
  })
})
