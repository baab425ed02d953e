/** preparePgValue and preparePgParameters against pg's own parameter preparation. */
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { preparePgParameters, preparePgValue } from './parameters.js'

/** pg's own `prepareValue`: the oracle for what reaches the server as text. */
const { prepareValue } = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils

// Dates become local time: compare in a zone with a non-whole-hour offset.
beforeAll(() => {
  vi.stubEnv('TZ', 'Asia/Kolkata')
})
afterAll(() => {
  vi.unstubAllEnvs()
})

describe('preparePgValue', () => {
  it('writes a Date as pg does: local time with the local offset', () => {
    expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(-330)
    const date = new Date(2024, 0, 15, 10, 30, 0, 123)
    expect(preparePgValue(date)).toBe('2024-01-15T10:30:00.123+05:30')
    expect(preparePgValue(date)).toBe(prepareValue(date))
  })

  it('matches pg on generated Dates from 271821 BC to 275760 AD', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        expect(preparePgValue(date)).toBe(prepareValue(date))
      }),
    )
  })

  it('writes booleans as true/false and -0 as 0, as pg does', () => {
    expect(preparePgValue(true)).toBe(prepareValue(true))
    expect(preparePgValue(false)).toBe(prepareValue(false))
    expect(Object.is(preparePgValue(-0), 0)).toBe(true)
    expect(String(preparePgValue(-0))).toBe(prepareValue(-0))
  })

  it('converts Dates and -0 inside nested arrays, keeps booleans there for JSON', () => {
    const date = new Date(2024, 0, 15, 1, 2, 3)
    expect(
      preparePgValue([
        [date, null],
        [-0, true],
      ]),
    ).toEqual([
      ['2024-01-15T01:02:03.000+05:30', null],
      [0, true],
    ])
  })

  it('returns other values as they are, the same object', () => {
    const buffer = Buffer.from([1, 2, 255])
    const object = { a: 1, d: new Date(0) }
    const invalid = new Date(Number.NaN)
    for (const value of [buffer, object, invalid, 'x', 1.5, 12n, null, undefined, ['a', 1]]) {
      expect(preparePgValue(value)).toBe(value)
    }
  })
})

describe('preparePgParameters', () => {
  it('returns the same array when no value needs converting', () => {
    const params = ['a', 1, null, [1, 2], { a: true }, Buffer.from('x')]
    expect(preparePgParameters(params)).toBe(params)
  })

  it('converts each value into a new array and leaves the input alone', () => {
    const date = new Date(2024, 0, 15)
    const params = [date, true, 'x', [date]]
    const prepared = preparePgParameters(params)
    expect(prepared).toEqual([
      '2024-01-15T00:00:00.000+05:30',
      'true',
      'x',
      ['2024-01-15T00:00:00.000+05:30'],
    ])
    expect(params).toEqual([date, true, 'x', [date]])
  })
})
