// Unit tests of escapeIdentifier and escapeLiteral on hostile input, and fast-check properties:
// a small parser of PostgreSQL's literal and quoted-identifier syntax gives back every input.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InterfaceError } from '../errors/base.js'
import { escapeIdentifier, escapeLiteral } from './escape.js'

/** The characters of a hex escape's digits, or undefined. */
function hexRun(src: string, at: number, min: number, max: number): string | undefined {
  let run = ''
  while (run.length < max && /[0-9a-fA-F]/.test(src[at + run.length] ?? ''))
    run += src[at + run.length]
  return run.length >= min ? run : undefined
}

/**
 * Parses one PostgreSQL string constant that must span all of `src` (docs 4.1.2.1–4.1.2.2):
 * `'…'` with `''` for a quote, or `E'…'` where backslash escapes apply too (as in a plain
 * literal when standard_conforming_strings is off). Returns undefined for anything else.
 */
function parseLiteral(src: string, standardConformingStrings = true): string | undefined {
  let i = 0
  let escapes = !standardConformingStrings
  if (src[0] === 'E' || src[0] === 'e') {
    escapes = true
    i = 1
  }
  if (src[i] !== "'") return undefined
  i++
  let out = ''
  while (i < src.length) {
    const c = src[i]!
    if (c === "'") {
      if (src[i + 1] === "'") {
        out += "'"
        i += 2
        continue
      }
      return i === src.length - 1 ? out : undefined
    }
    if (c !== '\\' || !escapes) {
      out += c
      i++
      continue
    }
    const n = src[i + 1]
    if (n === undefined) return undefined
    const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
    if (simple[n] !== undefined) {
      out += simple[n]
      i += 2
    } else if (/[0-7]/.test(n)) {
      let digits = n
      while (digits.length < 3 && /[0-7]/.test(src[i + 1 + digits.length] ?? '')) {
        digits += src[i + 1 + digits.length]
      }
      out += String.fromCharCode(Number.parseInt(digits, 8))
      i += 1 + digits.length
    } else if (n === 'x' && hexRun(src, i + 2, 1, 2) !== undefined) {
      const digits = hexRun(src, i + 2, 1, 2)!
      out += String.fromCharCode(Number.parseInt(digits, 16))
      i += 2 + digits.length
    } else if (n === 'u' || n === 'U') {
      const size = n === 'u' ? 4 : 8
      const digits = hexRun(src, i + 2, size, size)
      if (digits === undefined) return undefined
      out += String.fromCodePoint(Number.parseInt(digits, 16))
      i += 2 + size
    } else {
      out += n
      i += 2
    }
  }
  return undefined
}

/** Parses one quoted identifier `"…"` (`""` for a quote) that must span all of `src`. */
function parseIdentifier(src: string): string | undefined {
  if (src[0] !== '"') return undefined
  let out = ''
  let i = 1
  while (i < src.length) {
    const c = src[i]!
    if (c === '"') {
      if (src[i + 1] === '"') {
        out += '"'
        i += 2
        continue
      }
      return i === src.length - 1 && out.length > 0 ? out : undefined
    }
    out += c
    i++
  }
  return undefined
}

/** Strings rich in the characters that matter to SQL quoting, plus any code unit. */
const hostile = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("'", '"', '\\', '$', 'E', ';', '-', '/', '*', ' ') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\t', '\u2028', '😀', '\ud800', '\udfff') },
  ),
})
const withoutNul = hostile.filter((s) => !s.includes('\0'))

describe('the test parsers', () => {
  it('read PostgreSQL literal syntax and reject anything that does not end the token', () => {
    expect(parseLiteral("'it''s'")).toBe("it's")
    expect(parseLiteral("E'a\\\\b\\n\\x41\\101\\u00e9\\''")).toBe("a\\b\nAAé'")
    expect(parseLiteral("'a\\b'")).toBe('a\\b')
    expect(parseLiteral("'a\\c'", false)).toBe('ac')
    expect(parseLiteral("'a'b'")).toBeUndefined()
    expect(parseLiteral("'a' or 'b'")).toBeUndefined()
    expect(parseLiteral("'abc")).toBeUndefined()
    expect(parseLiteral("E'abc\\'")).toBeUndefined()
    expect(parseIdentifier('"a""b"')).toBe('a"b')
    expect(parseIdentifier('"a"."b"')).toBeUndefined()
    expect(parseIdentifier('"a')).toBeUndefined()
    expect(parseIdentifier('""')).toBeUndefined()
  })
})

describe('escapeIdentifier', () => {
  it.each([
    ['users', '"users"'],
    ['Users', '"Users"'],
    ['a"b', '"a""b"'],
    ['"', '""""'],
    ['a.b', '"a.b"'],
    ['back\\slash', '"back\\slash"'],
    ["'; drop table x; --", `"'; drop table x; --"`],
    ['"; drop table x; --', '"""; drop table x; --"'],
    ['Ünïcödé 🐘', '"Ünïcödé 🐘"'],
    ['$1', '"$1"'],
  ])('quotes %j as %s', (name, quoted) => {
    expect(escapeIdentifier(name)).toBe(quoted)
    expect(parseIdentifier(quoted)).toBe(name)
  })

  it('refuses an empty name, a NUL character and non-strings', () => {
    expect(() => escapeIdentifier('')).toThrow(InterfaceError)
    expect(() => escapeIdentifier('a\u0000b')).toThrow(/NUL character \(U\+0000 at index 1\)/)
    expect(() => escapeIdentifier(1 as unknown as string)).toThrow(/must be a string/)
  })

  it('quotes a name of a million characters', () => {
    const name = '"a'.repeat(500_000)
    const quoted = escapeIdentifier(name)
    expect(quoted).toHaveLength(1_500_002)
    expect(parseIdentifier(quoted)).toBe(name)
  })

  it('round-trips any string without NUL through the identifier parser', () => {
    fc.assert(
      fc.property(
        withoutNul.filter((s) => s.length > 0),
        (name) => {
          expect(parseIdentifier(escapeIdentifier(name))).toBe(name)
        },
      ),
      { numRuns: 2_000 },
    )
  })
})

describe('escapeLiteral', () => {
  it.each([
    ['', "''"],
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ["'", "''''"],
    ["'; drop table x; --", "'''; drop table x; --'"],
    ['a\\b', "E'a\\\\b'"],
    ['\\', "E'\\\\'"],
    ["\\'", "E'\\\\'''"],
    ["\\'; drop table x; --", "E'\\\\''; drop table x; --'"],
    ['"double"', `'"double"'`],
    ['$$ $1 $$', "'$$ $1 $$'"],
    ['line\nbreak\ttab', "'line\nbreak\ttab'"],
    ['Ünïcödé 🐘 \u2028', "'Ünïcödé 🐘 \u2028'"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(escapeLiteral(value)).toBe(quoted)
    expect(parseLiteral(quoted)).toBe(value)
    expect(parseLiteral(quoted, false)).toBe(value)
  })

  it('refuses a NUL character without showing the value', () => {
    const err = (() => {
      try {
        escapeLiteral('hunter2-secret\0tail')
      } catch (e) {
        return e as Error
      }
      return undefined
    })()
    expect(err).toBeInstanceOf(InterfaceError)
    expect(err?.message).toMatch(/NUL character \(U\+0000 at index 14\)/)
    expect(err?.message).not.toContain('hunter2')
    expect(() => escapeLiteral('\u0000')).toThrow(InterfaceError)
    expect(() => escapeLiteral(null as unknown as string)).toThrow(/must be a string, got object/)
  })

  it('quotes a string of three million characters', () => {
    const value = "'\\x".repeat(1_000_000)
    const quoted = escapeLiteral(value)
    expect(quoted).toHaveLength(5_000_003)
    expect(parseLiteral(quoted)).toBe(value)
  })

  it('passes lone surrogates through unchanged (UTF-8 encoding replaces them later)', () => {
    expect(escapeLiteral('a\ud800b')).toBe("'a\ud800b'")
  })

  it('round-trips any string without NUL, whatever standard_conforming_strings is', () => {
    fc.assert(
      fc.property(withoutNul, (value) => {
        const quoted = escapeLiteral(value)
        expect(parseLiteral(quoted, true)).toBe(value)
        expect(parseLiteral(quoted, false)).toBe(value)
        expect(quoted.startsWith(value.includes('\\') ? "E'" : "'")).toBe(true)
      }),
      { numRuns: 2_000 },
    )
  })

  it('refuses every string with a NUL character', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        expect(() => escapeLiteral(`${a}\0${b}`)).toThrow(InterfaceError)
        expect(() => escapeIdentifier(`${a}\0${b}`)).toThrow(InterfaceError)
      }),
      { numRuns: 300 },
    )
  })
})
