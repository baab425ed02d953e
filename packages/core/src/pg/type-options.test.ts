/**
 * pgTypes and pgTypeOptions through a real TypeRegistry: pg's mapping as data, and user options
 * layered over it winning per type, whether keyed by OID or by name.
 */
import { shape } from '@tusk/testkit/shape'
import { describe, expect, it } from 'vitest'
import { OID } from '../types/oids.generated.js'
import { defaultTypes } from '../types/registry.js'
import { PostgresInterval } from './postgres-interval.js'
import { pgTypeOptions, pgTypes } from './type-options.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('pgTypes', () => {
  it('is frozen all the way down, so no caller can change it for the others', () => {
    expect(Object.isFrozen(pgTypes)).toBe(true)
    expect(Object.isFrozen(pgTypes.parsers)).toBe(true)
    expect(Object.isFrozen(pgTypes.codecs)).toBe(true)
    expect(Object.isFrozen(pgTypes.codecs?.[String(OID.bytea)])).toBe(true)
  })

  it('decodes as pg does once a registry is extended with it, and leaves defaultTypes alone', () => {
    const types = defaultTypes.extend(pgTypes)
    expect(types.decoder(OID.int8, 0)(text('9223372036854775807'))).toBe('9223372036854775807')
    expect(types.decoder(OID.numeric, 0)(text('1.50'))).toBe('1.50')
    expect(types.decoder(OID.interval, 0)(text('1 day'))).toBeInstanceOf(PostgresInterval)
    expect(shape(types.decoder(OID.bytea, 1)(new Uint8Array([1, 255])))).toEqual({
      Buffer: '01ff',
    })
    expect(types.decoder(OID.int4range, 0)(text('[1,10)'))).toBe('[1,10)')
    expect(types.prefersBinary(OID.date)).toBe(false)
    expect(defaultTypes.decoder(OID.int8, 0)(text('1'))).toBe(1n)
  })
})

describe('pgTypeOptions', () => {
  it('is pgTypes itself without overrides', () => {
    expect(pgTypeOptions()).toBe(pgTypes)
  })

  it('lets a parser keyed by name replace pg’s OID-keyed one', () => {
    const types = defaultTypes.extend(pgTypeOptions({ parsers: { date: (s) => `day ${s}` } }))
    expect(types.decoder(OID.date, 0)(text('2024-01-15'))).toBe('day 2024-01-15')
    expect(types.decoder(OID.timestamp, 0)(text('2024-01-15 00:00:00'))).toBeInstanceOf(Date)
  })

  it('lets a parser replace pg’s bytea codec, and a codec keep pg’s pieces it does not give', () => {
    const parsed = defaultTypes.extend(pgTypeOptions({ parsers: { bytea: (s) => s.length } }))
    expect(parsed.decoder(OID.bytea, 0)(text('\\x0102'))).toBe(6)
    const encode = (v: unknown): string => `\\x${String(v)}`
    const coded = defaultTypes.extend(pgTypeOptions({ codecs: { bytea: { encode } } }))
    expect(coded.codec(OID.bytea).encode('ff')).toEqual({ format: 0, value: '\\xff' })
    expect(coded.decoder(OID.bytea, 1)(new Uint8Array([1]))).toBeInstanceOf(Buffer)
  })

  it('keeps pg’s parser under a codec that only encodes, drops it under one that decodes', () => {
    const encodeOnly = defaultTypes.extend(
      pgTypeOptions({ codecs: { timestamptz: { encode: () => 'epoch' } } }),
    )
    expect(encodeOnly.decoder(OID.timestamptz, 0)(text('2024-01-15 00:00:00+00'))).toEqual(
      new Date(Date.UTC(2024, 0, 15)),
    )
    const decoding = defaultTypes.extend(
      pgTypeOptions({ codecs: { 'pg_catalog.timestamptz': { parseText: () => 'mine' } } }),
    )
    expect(decoding.decoder(OID.timestamptz, 0)(text('2024-01-15 00:00:00+00'))).toBe('mine')
  })

  it('takes the overrides’ modes, keeps pg’s where they are unset', () => {
    expect(pgTypeOptions({ int8: 'bigint' }).int8).toBe('bigint')
    const kept = pgTypeOptions({ int8: undefined, parsers: {} })
    expect([kept.int8, kept.numeric]).toEqual(['string', 'string'])
    expect(Object.isFrozen(kept)).toBe(true)
  })
})
