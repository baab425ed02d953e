/** PostgresInterval against the class `pg` itself returns for interval text. */
import { shape } from '@tusk/testkit/shape'
import fc from 'fast-check'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { PostgresInterval } from './postgres-interval.js'

/** pg-types' own parser for an OID: the oracle. */
const pgParser = (oid: number) => pg.types.getTypeParser(oid, 'text') as (text: string) => unknown

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

describe('PostgresInterval', () => {
  it("keeps the class name of pg's interval objects", () => {
    expect(new PostgresInterval('1 day').constructor.name).toBe(
      (pgParser(1186)('1 day') as object).constructor.name,
    )
  })

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
