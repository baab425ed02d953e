/** Result's command tags, field parsers and row shapes; escapes (no server). */
import { describe, expect, it } from 'vitest'
import { escapeIdentifier, escapeLiteral } from './escape.js'
import { Result } from './result.js'

const field = (name: string, dataTypeID: number) => ({
  name,
  tableID: 0,
  columnID: 0,
  dataTypeID,
  dataTypeSize: -1,
  dataTypeModifier: -1,
  format: 'text',
})

describe('Result', () => {
  it('reads command tags as pg does', () => {
    const cases: [string, [string, number | null, number | null]][] = [
      ['SELECT 3', ['SELECT', 3, null]],
      ['INSERT 0 2', ['INSERT', 2, 0]],
      ['UPDATE 0', ['UPDATE', 0, null]],
      ['CREATE TABLE', ['CREATE', null, null]],
      ['COPY 5', ['COPY', 5, null]],
    ]
    for (const [tag, expected] of cases) {
      const r = new Result()
      r.addCommandComplete({ text: tag })
      expect([r.command, r.rowCount, r.oid], tag).toEqual(expected)
    }
  })

  it('parses rows with pg’s parsers into objects or arrays, NULL as null', () => {
    const fields = [field('n', 23), field('t', 25), field('b', 16)]
    const objects = new Result()
    objects.addFields(fields)
    expect(objects.parseRow(['1', 'x', null])).toEqual({ n: 1, t: 'x', b: null })
    const arrays = new Result('array')
    arrays.addFields(fields)
    expect(arrays.parseRow(['2', null, 't'])).toEqual([2, null, true])
    expect(arrays.rowAsArray).toBe(true)
  })

  it('takes parsers from the types given, then from what a cursor or client sets', () => {
    const r = new Result(undefined, { getTypeParser: () => (s: string) => `own:${s}` })
    r.addFields([field('n', 23)])
    expect(r.parseRow(['1'])).toEqual({ n: 'own:1' })
    const set = new Result()
    set._getTypeParser = () => (s: string) => `set:${s}`
    set.addFields([field('n', 23)])
    expect(set.parseRow(['1'])).toEqual({ n: 'set:1' })
  })

  it('keeps its internals out of its enumerable shape', () => {
    expect(Object.keys(new Result()).sort()).toEqual(
      ['command', 'fields', 'oid', 'rowAsArray', 'rowCount', 'rows'].sort(),
    )
  })
})

describe('escapes', () => {
  it('match pg’s output', () => {
    expect(escapeIdentifier('a"b')).toBe('"a""b"')
    expect(escapeLiteral("o'k")).toBe("'o''k'")
    expect(escapeLiteral('a\\b')).toBe(" E'a\\\\b'")
    expect(escapeLiteral("a\\'b")).toBe(" E'a\\\\''b'")
  })
})
