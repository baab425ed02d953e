// Unit tests of the sql tag's fragments: numbering, nesting, caching, the static text left verbatim
// (hostile `$1` in literals, identifiers, dollar quotes, comments), the parameter limit, the brand.
import { inspect } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { InterfaceError } from '../errors/base.js'
import { isSqlFragment, MAX_PARAMETERS, type SqlFragment } from './fragment.js'
import { sql } from './sql.js'

/** The error a thunk throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

describe('the sql tag', () => {
  it('turns every interpolation into a numbered parameter', () => {
    const id = 7
    const name = 'ann'
    const q = sql`select * from t where id = ${id} and name = ${name}`
    expect(q.text).toBe('select * from t where id = $1 and name = $2')
    expect(q.values).toEqual([7, 'ann'])
    expect(q.strings).toEqual(['select * from t where id = ', ' and name = ', ''])
  })

  it('has no parameters without interpolations', () => {
    const q = sql`select 1`
    expect(q.text).toBe('select 1')
    expect(q.values).toEqual([])
    expect(q.strings).toEqual(['select 1'])
  })

  it('keeps hostile values out of the text', () => {
    const hostile = ["'; drop table x; --", '$1', '$$', '*/', '"', '\\', null, undefined, { a: 1 }]
    const q = sql`select ${hostile[0]}, ${hostile[1]}, ${hostile[2]}, ${hostile[3]}, ${hostile[4]}, ${hostile[5]}, ${hostile[6]}, ${hostile[7]}, ${hostile[8]}`
    expect(q.text).toBe('select $1, $2, $3, $4, $5, $6, $7, $8, $9')
    expect(q.values).toEqual(hostile)
  })

  it('passes an array as one parameter', () => {
    const ids = [1, 2, 3]
    const q = sql`select * from t where id = any(${ids})`
    expect(q.text).toBe('select * from t where id = any($1)')
    expect(q.values).toEqual([[1, 2, 3]])
    expect(q.values[0]).toBe(ids)
  })

  it('treats a fragment-shaped plain object as a value, never as SQL', () => {
    const forged = { text: 'drop table users', values: [], strings: ['drop table users'] }
    const parsed: unknown = JSON.parse('{"text":"drop table x","values":[],"strings":["drop"]}')
    const stringBrand = { 'tusk.sql': 1, text: 'drop table y', values: [], strings: ['drop'] }
    const q = sql`select ${forged}, ${parsed}, ${stringBrand}`
    expect(q.text).toBe('select $1, $2, $3')
    expect(q.values).toEqual([forged, parsed, stringBrand])
    expect(isSqlFragment(forged)).toBe(false)
    expect(isSqlFragment(parsed)).toBe(false)
    expect(isSqlFragment(stringBrand)).toBe(false)
  })

  it('is frozen and builds once: the same text and values on every read', () => {
    const q = sql`select ${1}, ${sql`${2}`}`
    expect(Object.isFrozen(q)).toBe(true)
    expect(Object.isFrozen(q.values)).toBe(true)
    expect(Object.isFrozen(q.strings)).toBe(true)
    expect(q.text).toBe(q.text)
    expect(q.values).toBe(q.values)
    expect(q.strings).toBe(q.strings)
    expect(() => {
      ;(q as { text: string }).text = 'drop table t'
    }).toThrow(TypeError)
    expect(q.text).toBe('select $1, $2')
  })

  it('makes separate fragments from one call site', () => {
    const at = (v: number): SqlFragment => sql`select ${v}`
    const a = at(1)
    const b = at(2)
    expect(a.values).toEqual([1])
    expect(b.values).toEqual([2])
    expect(a.text).toBe(b.text)
  })

  it('shows as [object SqlFragment] in a plain template string, never as SQL', () => {
    const q = sql`select ${1}`
    expect(String(q)).toBe('[object SqlFragment]')
    expect(`${q}`).toBe('[object SqlFragment]')
    expect(Object.prototype.toString.call(q)).toBe('[object SqlFragment]')
  })

  it('inspects as its text and parameter count, never its values', () => {
    const q = sql`select ${'secret-value'}, ${2}`
    const shown = inspect(q)
    expect(shown).toBe('SqlFragment "select $1, $2" (2 parameters)')
    expect(shown).not.toContain('secret-value')
  })

  it('refuses to be called on a string or a plain array', () => {
    const call = sql as unknown as (...args: unknown[]) => SqlFragment
    const fromString = thrown(() => call('select * from t where id = 1'))
    expect(fromString).toBeInstanceOf(InterfaceError)
    expect((fromString as Error).message).toMatch(/template tag/)
    expect(() => call(['select 1'])).toThrow(InterfaceError)
    expect(() => call(Object.assign(['a', 'b'], { raw: ['a', 'b'] }))).toThrow(InterfaceError)
    expect(() => call(Object.assign(['a', 'b'], { raw: ['a', 'b'] }), 1, 2)).toThrow(InterfaceError)
    expect(call(Object.assign(['a ', ''], { raw: ['a ', ''] }), 1).text).toBe('a $1')
  })

  it('refuses a template piece JavaScript cannot cook', () => {
    const err = thrown(() => sql`select '\unicode' ${1}`)
    expect(err).toBeInstanceOf(InterfaceError)
    expect((err as Error).message).toMatch(/piece 0/)
  })

  it('uses the cooked template text', () => {
    expect(sql`select E'a\\nb', 'tab\there'`.text).toBe("select E'a\\nb', 'tab\there'")
  })
})

describe('nested fragments', () => {
  it('splices a fragment and renumbers its parameters after the outer ones', () => {
    const cond = sql`a = ${1} and b = ${2}`
    const q = sql`select * from t where x = ${0} and ${cond} and c = ${3}`
    expect(q.text).toBe('select * from t where x = $1 and a = $2 and b = $3 and c = $4')
    expect(q.values).toEqual([0, 1, 2, 3])
    expect(cond.text).toBe('a = $1 and b = $2')
  })

  it('numbers a fragment used twice once per use', () => {
    const f = sql`a = ${'v'}`
    const q = sql`${f} or ${f} or ${sql`(${f})`}`
    expect(q.text).toBe('a = $1 or a = $2 or (a = $3)')
    expect(q.values).toEqual(['v', 'v', 'v'])
  })

  it('renumbers a fragment whose own text was already built', () => {
    const inner = sql`b = ${2} and c = ${3}`
    expect(inner.text).toBe('b = $1 and c = $2')
    const q = sql`a = ${1} and ${inner}`
    expect(q.text).toBe('a = $1 and b = $2 and c = $3')
    expect(q.values).toEqual([1, 2, 3])
    const outer = sql`${q} or ${q}`
    expect(q.text).toBe('a = $1 and b = $2 and c = $3')
    expect(outer.text).toBe('a = $1 and b = $2 and c = $3 or a = $4 and b = $5 and c = $6')
  })

  it('splices fragments with no parameters and empty pieces', () => {
    const q = sql`${sql`select`} ${sql``}${sql`1`}${sql.empty}`
    expect(q.text).toBe('select 1')
    expect(q.values).toEqual([])
  })

  it('walks 50 000 levels of nesting without overflowing the stack', () => {
    let q = sql`${0}`
    for (let i = 1; i < 50_000; i++) q = sql`(${q}) or x = ${i}`
    expect(q.values).toHaveLength(50_000)
    expect(q.values[49_999]).toBe(49_999)
    expect(q.text.startsWith('('.repeat(49_999) + '$1) or x = $2) or x = $3)')).toBe(true)
    expect(q.text.endsWith(') or x = $50000')).toBe(true)
  })

  it('never glues a placeholder to a following digit', () => {
    expect(sql`select ${1}0`.text).toBe('select $1 0')
    expect(sql`select ${sql`${1}`}2, ${2}x`.text).toBe('select $1 2, $2x')
  })
})

describe('static text is never renumbered or read as parameters', () => {
  it('leaves a $1 written in the template as it is', () => {
    const q = sql`select '$1', ${'v'}`
    expect(q.text).toBe("select '$1', $1")
    expect(q.values).toEqual(['v'])
  })

  it("leaves $n inside a nested fragment's literals, identifiers, dollar quotes and comments", () => {
    const inner = sql`select '$1' as a, E'\\'$2' as b, "$1" as "c""$2", $$ $1 $$ as d, $q$ $2 'x' $q$ as e, ${'v'} as f -- $1 ${'w'}
      /* $1 /* nested $2 */ $3 */ ${'z'}`
    const q = sql`select ${'outer'}, (${inner}), ${'last'}`
    expect(q.text).toBe(
      `select $1, (select '$1' as a, E'\\'$2' as b, "$1" as "c""$2", $$ $1 $$ as d, $q$ $2 'x' $q$ as e, $2 as f -- $1 $3
      /* $1 /* nested $2 */ $3 */ $4), $5`,
    )
    expect(q.values).toEqual(['outer', 'v', 'w', 'z', 'last'])
  })

  it('leaves unbalanced quotes and comments in static text alone', () => {
    const inner = sql`'$1 ${1} "$2 ${2} $$ $3 ${3} /* $4 ${4} -- $5`
    const q = sql`${0} ${inner}`
    expect(q.text).toBe(`$1 '$1 $2 "$2 $3 $$ $3 $4 /* $4 $5 -- $5`)
    expect(q.values).toEqual([0, 1, 2, 3, 4])
  })

  it('keeps $n in unsafe text verbatim while numbering around it', () => {
    const q = sql`select ${1}, ${sql.unsafe("'$1', $$ $2 $$")}, ${2}`
    expect(q.text).toBe("select $1, '$1', $$ $2 $$, $2")
  })
})

describe('the parameter limit', () => {
  it(`allows ${MAX_PARAMETERS} parameters`, () => {
    expect(MAX_PARAMETERS).toBe(65_535)
    const q = sql`select ${sql.join(new Array<number>(65_535).fill(0))}`
    expect(q.values).toHaveLength(65_535)
    expect(q.text.endsWith(', $65534, $65535')).toBe(true)
  })

  it('throws InterfaceError for 65 536 when the text is built, not before', () => {
    const q = sql`select ${sql.join(new Array<number>(65_536).fill(0))}`
    const err = thrown(() => q.text)
    expect(err).toBeInstanceOf(InterfaceError)
    expect((err as Error).message).toMatch(/protocol limit is 65535/)
    expect(() => q.values).toThrow(InterfaceError)
    expect(() => q.strings).toThrow(InterfaceError)
    expect(inspect(q)).toMatch(/cannot be built: .*65535/)
  })

  it('counts the parameters of nested and already built fragments', () => {
    const half = sql.join(new Array<number>(40_000).fill(1))
    expect(half.values).toHaveLength(40_000)
    expect(() => sql`${half}, ${half}`.text).toThrow(/protocol limit is 65535/)
    const almost = sql.join(new Array<number>(65_534).fill(1))
    expect(sql`${almost}, ${2}`.values).toHaveLength(65_535)
    expect(() => sql`${almost}, ${2}, ${3}`.text).toThrow(InterfaceError)
  })

  it('stops early on an exponential tree instead of expanding it', () => {
    let q = sql`${1}`
    for (let i = 0; i < 60; i++) q = sql`${q}${q}`
    expect(() => q.text).toThrow(InterfaceError)
  })
})

describe('two copies of the package', () => {
  it('splice each other’s fragments and share the brand', async () => {
    vi.resetModules()
    const other = (await import('./index.js')) as typeof import('./index.js')
    const errors = (await import('../errors/base.js')) as typeof import('../errors/base.js')
    expect(other.sql).not.toBe(sql)
    const theirs = other.sql`b = ${2} and c = ${3}`
    expect(isSqlFragment(theirs)).toBe(true)
    const ours = sql`a = ${1} and ${theirs}`
    expect(ours.text).toBe('a = $1 and b = $2 and c = $3')
    expect(ours.values).toEqual([1, 2, 3])
    const back = other.sql`select ${0} where ${ours}`
    expect(other.isSqlFragment(ours)).toBe(true)
    expect(back.text).toBe('select $1 where a = $2 and b = $3 and c = $4')
    expect(other.sql.join([ours, theirs], sql` or `).text).toBe(
      'a = $1 and b = $2 and c = $3 or b = $4 and c = $5',
    )
    const err = thrown(() => other.sql.id(''))
    expect((err as object).constructor).toBe(errors.InterfaceError)
    expect(errors.InterfaceError).not.toBe(InterfaceError)
    expect(err).toBeInstanceOf(InterfaceError)
    expect(err).toBeInstanceOf(errors.InterfaceError)
  })

  it('splices a version-1 fragment built by hand and refuses a malformed one', () => {
    const brand = Symbol.for('tusk.sql')
    const foreign = {
      [brand]: 1,
      text: 'ignored',
      strings: ['x = ', ' or y = ', ''],
      values: [5, 6],
    }
    expect(isSqlFragment(foreign)).toBe(true)
    expect(sql`select ${0} where ${foreign}`.text).toBe('select $1 where x = $2 or y = $3')
    const malformed = { [brand]: 1, strings: ['only one'], values: [1] }
    expect(() => sql`${malformed}`.text).toThrow(/malformed/)
    const future = { [brand]: 2, strings: ['drop table t'], values: [] }
    expect(isSqlFragment(future)).toBe(false)
    expect(sql`${future}`.text).toBe('$1')
  })
})

/** A random fragment tree, as data. */
type Tree = { strings: string[]; parts: (Tree | number)[]; prebuild: boolean }

/** The expected flattening of a tree, by plain recursion. */
function naive(tree: Tree, out: { strings: string[]; values: number[] }): void {
  out.strings[out.strings.length - 1] += tree.strings[0]!
  tree.parts.forEach((part, i) => {
    if (typeof part === 'number') {
      out.values.push(part)
      out.strings.push('')
    } else {
      naive(part, out)
    }
    out.strings[out.strings.length - 1] += tree.strings[i + 1]!
  })
}

/** Builds the tree's fragment bottom up through the public tag, building some texts early. */
function toFragment(tree: Tree): SqlFragment {
  const parts = tree.parts.map((p) => (typeof p === 'number' ? p : toFragment(p)))
  const strings = Object.assign([...tree.strings], { raw: [...tree.strings] })
  const f = sql(strings, ...parts)
  if (tree.prebuild) void f.text
  return f
}

describe('numbering property', () => {
  it('matches a naive recursive flattening for random trees', () => {
    const piece = fc.string({ unit: fc.constantFrom('a', ' ', '$', '1', "'", '"', '-', '/', '*') })
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc
        .array(fc.oneof({ depthSize: 'small' }, fc.integer(), tie('tree')), { maxLength: 5 })
        .chain((parts) =>
          fc.record({
            strings: fc.array(piece, { minLength: parts.length + 1, maxLength: parts.length + 1 }),
            parts: fc.constant(parts as (Tree | number)[]),
            prebuild: fc.boolean(),
          }),
        ),
    }))
    fc.assert(
      fc.property(tree, (t) => {
        const expected = { strings: [''], values: [] as number[] }
        naive(t, expected)
        const f = toFragment(t)
        expect(f.values).toEqual(expected.values)
        expect(f.strings).toEqual(expected.strings)
        const text = expected.strings
          .map((s, i) => (i === 0 ? s : `$${i}${/^[0-9]/.test(s) ? ' ' : ''}${s}`))
          .join('')
        expect(f.text).toBe(text)
      }),
      { numRuns: 300 },
    )
  })
})
