import { shape } from '@tusk/testkit/shape'
import fc from 'fast-check'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { localDateParameter, parsePgDateTime } from './pg-dates.js'
import { parseArrayLiteral } from './pg-types.js'
import { PostgresInterval } from './postgres-interval.js'
import { hasMultipleStatements } from './statements.js'

/** pg-types' own parser for an OID: the oracle. */
const pgParser = (oid: number) => pg.types.getTypeParser(oid, 'text') as (text: string) => unknown

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

describe('PostgresInterval', () => {
  const samples = [
    '',
    '00:00:00',
    '1 year 2 mons 3 days 04:05:06.789',
    '-1 years -2 mons +3 days -04:05:06.000001',
    '1 day -00:00:01',
    '100 years',
    '-00:00:00.5',
    '123:45:00',
    '3 mons',
    '1 year 00:00:00.000123',
  ]

  it.each(samples)('parses %j as pg does, with the same methods', (text) => {
    const parsePg = pgParser(1186)
    const theirs = parsePg(text) as { toPostgres(): string; toISO(): string }
    const ours = new PostgresInterval(text)
    expect(shape(ours)).toEqual(shape(theirs))
    expect(ours.toPostgres()).toBe(theirs.toPostgres())
    expect(ours.toISO()).toBe(theirs.toISO())
    expect(ours.toISOString()).toBe(theirs.toISO())
  })

  it('matches pg on generated interval texts', () => {
    const parsePg = pgParser(1186)
    const field = fc.integer({ min: -5000, max: 5000 })
    fc.assert(
      fc.property(
        fc.record({ y: field, mo: field, d: field }),
        fc.option(
          fc.record({
            neg: fc.boolean(),
            h: fc.integer({ min: 0, max: 999 }),
            mi: fc.integer({ min: 0, max: 59 }),
            s: fc.integer({ min: 0, max: 59 }),
            us: fc.integer({ min: 0, max: 999_999 }),
          }),
        ),
        ({ y, mo, d }, time) => {
          const parts: string[] = []
          if (y) parts.push(`${y} year${Math.abs(y) === 1 ? '' : 's'}`)
          if (mo) parts.push(`${mo} mon${Math.abs(mo) === 1 ? '' : 's'}`)
          if (d) parts.push(`${d} day${Math.abs(d) === 1 ? '' : 's'}`)
          if (time) {
            const frac = time.us ? `.${pad(time.us, 6).replace(/0+$/, '')}` : ''
            const sign = time.neg ? '-' : parts.length ? '+' : ''
            parts.push(`${sign}${pad(time.h)}:${pad(time.mi)}:${pad(time.s)}${frac}`)
          }
          const text = parts.join(' ') || '00:00:00'
          const theirs = parsePg(text) as { toPostgres(): string }
          const ours = new PostgresInterval(text)
          expect(shape(ours)).toEqual(shape(theirs))
          expect(ours.toPostgres()).toBe(theirs.toPostgres())
        },
      ),
    )
  })
})

describe('parsePgDateTime', () => {
  const samples = [
    '2024-01-15',
    '0044-03-15 BC',
    '0001-01-01',
    '0099-12-31',
    '10000-01-01',
    'infinity',
    '-infinity',
    '2024-01-15 10:30:00',
    '2024-01-15 10:30:00.123456',
    '1999-12-31 23:59:59.9995',
    '0001-01-01 00:00:00 BC',
    '2024-01-15 10:30:00.5+05:30',
    '2024-01-15 10:30:00-03:30',
    '1900-01-01 00:00:00+00',
    '1883-11-18 12:00:00-04:56:02',
    '0044-03-15 12:00:00+00 BC',
    'not a date',
  ]

  it.each(samples)('parses %j as pg does (date, timestamp and timestamptz)', (text) => {
    for (const oid of [1082, 1114, 1184]) {
      expect(shape(parsePgDateTime(text))).toEqual(shape(pgParser(oid)(text)))
    }
  })

  it('matches pg on generated timestamps', () => {
    const parsePg = pgParser(1184)
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 86_399 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.option(fc.integer({ min: -15 * 60, max: 15 * 60 })),
        fc.boolean(),
        (year, month, day, seconds, us, zone, bc) => {
          const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`
          const frac = us ? `.${pad(us, 6).replace(/0+$/, '')}` : ''
          const tz =
            zone === null
              ? ''
              : `${zone < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(zone) / 60))}${Math.abs(zone) % 60 ? `:${pad(Math.abs(zone) % 60)}` : ''}`
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)} ${time}${frac}${tz}${bc ? ' BC' : ''}`
          expect(shape(parsePgDateTime(text))).toEqual(shape(parsePg(text)))
        },
      ),
    )
  })
})

describe('localDateParameter', () => {
  it('writes local time with the local offset, as pg does', () => {
    const { prepareValue } = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } })
      .utils
    const dates = [
      new Date(2024, 0, 15, 10, 30, 0, 123),
      new Date(Date.UTC(1970, 0, 1)),
      new Date(-100, 0, 1),
      new Date(0, 5, 1),
      new Date(Date.UTC(275000, 0, 1)),
    ]
    for (const d of dates) {
      expect(localDateParameter(d)).toBe(prepareValue(d))
    }
  })
})

describe('parseArrayLiteral', () => {
  it('reads nesting, NULL, quotes and bounds as postgres-array does', () => {
    const oracle = pgParser(1231)
    for (const text of ['{1.5,NaN,NULL,2}', '{{1,2},{3,4}}', '{}', '[0:1]={1,2}', '{"1.5",NULL}']) {
      expect(shape(parseArrayLiteral(text, Number.parseFloat))).toEqual(shape(oracle(text)))
    }
  })
})

describe('hasMultipleStatements', () => {
  it.each([
    ['select 1', false],
    ['select 1;', false],
    ['select 1;  -- done\n', false],
    ['select 1; /* c */ ;', false],
    ["select ';' as semi", false],
    ['select 1 as "a;b"', false],
    ["select E'\\';' as x", false],
    ['select $$;$$ as x', false],
    ['select $tag$ ; $other$ ; $tag$ as x', false],
    ['select $1::int', false],
    ['create table a (id int); create table b (id int)', true],
    ['select 1;select 2', true],
    ['select 1; -- c\n select 2', true],
    ['do $$ begin perform 1; end $$; select 1', true],
  ] as const)('%j → %s', (sql, expected) => {
    expect(hasMultipleStatements(sql)).toBe(expected)
  })
})
