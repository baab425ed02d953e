/** pg's parameter preparation, value by value (no server). */
import { afterEach, describe, expect, it } from 'vitest'
import { defaults } from './defaults.js'
import { prepareValue } from './prepare-value.js'

describe('prepareValue', () => {
  afterEach(() => {
    defaults.parseInputDatesAsUTC = false
  })

  it('keeps null, turns undefined into null and scalars into their text', () => {
    expect([null, undefined, 1, -0, 1.5, 10n, true, false, 'x'].map(prepareValue)).toEqual([
      null,
      null,
      '1',
      '0',
      '1.5',
      '10',
      'true',
      'false',
      'x',
    ])
  })

  it('sends a Date as local time with its offset, or UTC when asked', () => {
    // The project runs these tests with TZ=Asia/Kolkata (+05:30).
    const when = new Date(Date.UTC(2024, 0, 15, 12, 0, 0, 7))
    expect(prepareValue(when)).toBe('2024-01-15T17:30:00.007+05:30')
    defaults.parseInputDatesAsUTC = true
    expect(prepareValue(when)).toBe('2024-01-15T12:00:00.007+00:00')
  })

  it('passes Buffers through and copies typed arrays into Buffers', () => {
    const buf = Buffer.from([1, 2])
    expect(prepareValue(buf)).toBe(buf)
    expect(prepareValue(new Uint8Array([3, 4]))).toEqual(Buffer.from([3, 4]))
  })

  it('writes arrays as quoted array literals, nested, with NULL, bytes and escapes', () => {
    expect(prepareValue([1, null, undefined, 'a"b', 'c\\d'])).toBe(
      '{"1",NULL,NULL,"a\\"b","c\\\\d"}',
    )
    expect(prepareValue([[1, 2], [3]])).toBe('{{"1","2"},{"3"}}')
    expect(prepareValue([Buffer.from([255])])).toBe('{"\\\\xff"}')
    expect(prepareValue([{ a: 1 }])).toBe('{"{\\"a\\":1}"}')
  })

  it('uses toPostgres (recursively) and JSON for other objects, and refuses a cycle', () => {
    expect(prepareValue({ toPostgres: () => 'custom' })).toBe('custom')
    expect(prepareValue({ toPostgres: () => ({ toPostgres: () => 7 }) })).toBe('7')
    expect(prepareValue({ a: [1, { b: null }] })).toBe('{"a":[1,{"b":null}]}')
    const loop: { toPostgres: () => unknown } = { toPostgres: () => loop }
    expect(() => prepareValue(loop)).toThrow(/circular reference detected/)
  })
})
