import { describe, expect, it } from 'vitest'
import { saslprep } from './saslprep.js'
import * as tables from './stringprep-tables.js'

describe('saslprep (RFC 4013 §3 examples)', () => {
  it.each([
    ['I\u00adX', 'IX', 'SOFT HYPHEN mapped to nothing'],
    ['user', 'user', 'no transformation'],
    ['USER', 'USER', 'case preserved, will not match #2'],
    ['\u00aa', 'a', 'output is NFKC, input in ISO 8859-1'],
    ['\u2168', 'IX', 'output is NFKC, will match #1'],
  ])('prepares %j as %j (%s)', (input, expected) => {
    expect(saslprep(input)).toEqual({ ok: true, value: expected })
  })

  it('refuses U+0007 as a prohibited character', () => {
    expect(saslprep('\u0007')).toEqual({ ok: false, reason: 'prohibited' })
  })

  it('refuses U+0627 U+0031 in the bidi check', () => {
    expect(saslprep('\u0627\u0031')).toEqual({ ok: false, reason: 'bidi' })
  })
})

describe('saslprep mapping and checks', () => {
  it('maps non-ASCII spaces to U+0020', () => {
    expect(saslprep('a\u00a0b\u2003c\u3000d')).toEqual({ ok: true, value: 'a b c d' })
  })

  it('drops zero-width and variation-selector characters', () => {
    expect(saslprep('p\u200dw\ufe0fd\ufeff\u2060')).toEqual({ ok: true, value: 'pwd' })
  })

  it('maps U+200B, listed in both C.1.2 and B.1, to a space, as PostgreSQL does', () => {
    expect(saslprep('a\u200bb')).toEqual({ ok: true, value: 'a b' })
  })

  it('applies compatibility normalization', () => {
    expect(saslprep('\uff21\uff22')).toEqual({ ok: true, value: 'AB' })
    expect(saslprep('\ufb01')).toEqual({ ok: true, value: 'fi' })
    expect(saslprep('e\u0301')).toEqual({ ok: true, value: '\u00e9' })
  })

  it('refuses a string that maps to nothing', () => {
    expect(saslprep('\u00ad\u200c')).toEqual({ ok: false, reason: 'empty' })
    expect(saslprep('')).toEqual({ ok: false, reason: 'empty' })
  })

  it.each([
    ['an ASCII control character', 'ab\u007f'],
    ['a C1 control character', 'ab\u0085'],
    ['a private use character', 'ab\ue000'],
    ['a non-character', 'ab\ufdd0'],
    ['a lone surrogate', 'ab\ud800'],
    ['a tagging character', 'ab\u{e0041}'],
    ['a display-property character', 'ab\u200e'],
    ['an ideographic description character', 'ab\u2ff0'],
    ['a plane-15 private use character', 'ab\u{f0000}'],
  ])('refuses %s', (_name, input) => {
    expect(saslprep(input)).toEqual({ ok: false, reason: 'prohibited' })
  })

  it('refuses code points unassigned in Unicode 3.2', () => {
    expect(saslprep('ab\u0221')).toEqual({ ok: false, reason: 'unassigned' })
    expect(saslprep('smile \u{1f600}')).toEqual({ ok: false, reason: 'unassigned' })
  })

  it('accepts a right-to-left string that starts and ends with RandALCat', () => {
    expect(saslprep('\u0627\u0031\u0628')).toEqual({ ok: true, value: '\u0627\u0031\u0628' })
    expect(saslprep('\u05e9\u05dc\u05d5\u05dd')).toEqual({
      ok: true,
      value: '\u05e9\u05dc\u05d5\u05dd',
    })
  })

  it('refuses RandALCat mixed with LCat', () => {
    expect(saslprep('\u0627a\u0628')).toEqual({ ok: false, reason: 'bidi' })
  })

  it('checks bidi on the mapped string, before normalization, as PostgreSQL does', () => {
    // U+2135 ALEF SYMBOL is LCat, its NFKC form U+05D0 is RandALCat.
    expect(saslprep('\u05d0\u2135')).toEqual({ ok: false, reason: 'bidi' })
  })

  it('prepares very long strings without overflowing the stack', () => {
    const long = '\u00e9'.repeat(200_000)
    const result = saslprep(long)
    expect(result.ok && result.value.length).toBe(200_000)
  })
})

describe('stringprep tables', () => {
  it.each(Object.entries(tables))(
    '%s is a sorted list of disjoint inclusive ranges',
    (_name, table) => {
      expect(table.length % 2).toBe(0)
      for (let i = 0; i < table.length; i += 2) {
        expect(table[i]!).toBeLessThanOrEqual(table[i + 1]!)
        if (i > 0) expect(table[i]!).toBeGreaterThan(table[i - 1]! + 1)
        expect(table[i + 1]!).toBeLessThanOrEqual(0x10ffff)
      }
    },
  )
})
