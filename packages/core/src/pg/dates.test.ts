/** parsePgDateTime and formatPgDate against pg's own parsers and parameter preparation. */
import { shape } from '@tusk/testkit/shape'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { formatPgDate, parsePgDateTime } from './dates.js'

/** pg-types' own parser for an OID: the oracle. */
const pgParser = (oid: number) => pg.types.getTypeParser(oid, 'text') as (text: string) => unknown

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

// Local-time conversions must match pg's in a zone with a non-whole-hour offset, whichever zone
// the run started in (Node applies an assignment to TZ at once).
beforeAll(() => {
  vi.stubEnv('TZ', 'Asia/Kolkata')
})
afterAll(() => {
  vi.unstubAllEnvs()
})

it('runs in a process time zone that is not UTC', () => {
  expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(-330)
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

describe('formatPgDate', () => {
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
      expect(formatPgDate(d)).toBe(prepareValue(d))
    }
  })
})
