// Unit tests of the sql helpers: id (splitting and quoting), join, in (and the empty list),
// unsafe, value and empty, each on its own and composed inside the tag.
import { describe, expect, it } from 'vitest'
import { InterfaceError } from '../errors/base.js'
import { sql } from './sql.js'

describe('sql.id', () => {
  it('splits one string on every dot', () => {
    expect(sql.id('users').text).toBe('"users"')
    expect(sql.id('app.users').text).toBe('"app"."users"')
    expect(sql.id('db.app.users').text).toBe('"db"."app"."users"')
  })

  it('takes several strings, or one array, as parts verbatim', () => {
    expect(sql.id('app', 'users').text).toBe('"app"."users"')
    expect(sql.id('app', 'my.table').text).toBe('"app"."my.table"')
    expect(sql.id(['a.b']).text).toBe('"a.b"')
    expect(sql.id(['app', 'a.b']).text).toBe('"app"."a.b"')
    expect(sql.id(['say "hi"']).text).toBe('"say ""hi"""')
  })

  it('keeps case, spaces, unicode and backslashes, doubling double quotes', () => {
    expect(sql.id('Users').text).toBe('"Users"')
    expect(sql.id(['a b', 'Ünïcödé 🐘']).text).toBe('"a b"."Ünïcödé 🐘"')
    expect(sql.id(['back\\slash']).text).toBe('"back\\slash"')
    expect(sql.id(['x"; drop table y; --']).text).toBe('"x""; drop table y; --"')
    expect(sql.id('x; drop table y; --').text).toBe('"x; drop table y; --"')
  })

  it('refuses a double quote in a dotted path: pre-quoted or not is ambiguous', () => {
    expect(() => sql.id('"App"."Users"')).toThrow(InterfaceError)
    expect(() => sql.id('x"; drop table y; --')).toThrow(/cannot contain a double quote/)
  })

  it('refuses empty names and empty parts', () => {
    expect(() => sql.id('')).toThrow(/cannot be empty/)
    expect(() => sql.id('a..b')).toThrow(/part 2 of 3.*cannot be empty/)
    expect(() => sql.id('.a')).toThrow(InterfaceError)
    expect(() => sql.id('a.')).toThrow(InterfaceError)
    expect(() => sql.id('a', '')).toThrow(InterfaceError)
    expect(() => sql.id([])).toThrow(/at least one/)
    expect(() => (sql.id as (...a: unknown[]) => unknown)()).toThrow(/at least one/)
  })

  it('refuses a NUL character and non-strings', () => {
    expect(() => sql.id('a\0b')).toThrow(/NUL/)
    expect(() => sql.id(['a', 'b\u0000'])).toThrow(InterfaceError)
    const id = sql.id as (...a: unknown[]) => unknown
    expect(() => id(1)).toThrow(/must be a string, got number/)
    expect(() => id(['a'], 'b')).toThrow(InterfaceError)
    expect(() => id(sql`a`)).toThrow(InterfaceError)
  })

  it('composes inside the tag', () => {
    const q = sql`select ${sql.id('name')} from ${sql.id('app.users')} where id = ${1}`
    expect(q.text).toBe('select "name" from "app"."users" where id = $1')
    expect(q.values).toEqual([1])
  })
})

describe('sql.join', () => {
  it('joins values as parameters with a comma by default', () => {
    const q = sql.join([1, 'two', null])
    expect(q.text).toBe('$1, $2, $3')
    expect(q.values).toEqual([1, 'two', null])
  })

  it('joins fragments and values with a separator, renumbering', () => {
    const where = sql.join([sql`a = ${1}`, sql`b is null`, sql`c = ${3}`], sql` and `)
    const q = sql`select * from t where x = ${0} and ${where} limit ${10}`
    expect(q.text).toBe('select * from t where x = $1 and a = $2 and b is null and c = $3 limit $4')
    expect(q.values).toEqual([0, 1, 3, 10])
    expect(sql.join([sql`now()`, 5]).text).toBe('now(), $1')
  })

  it('numbers a separator holding a parameter once per use', () => {
    expect(sql.join([1, 2, 3], sql` + ${0} + `).text).toBe('$1 + $2 + $3 + $4 + $5')
  })

  it('gives the empty fragment for no items', () => {
    const q = sql.join([])
    expect(q).toBe(sql.empty)
    expect(q.text).toBe('')
    expect(sql`select ${sql.join([])}1`.text).toBe('select 1')
  })

  it('takes any iterable but not a string', () => {
    expect(sql.join(new Set([1, 2])).text).toBe('$1, $2')
    expect(
      sql.join(
        (function* () {
          yield 'a'
          yield sql.id('b')
        })(),
      ).text,
    ).toBe('$1, "b"')
    expect(() => sql.join('abc')).toThrow(/not a list/)
    expect(() => sql.join(5 as unknown as number[])).toThrow(/iterable/)
    expect(() => sql.join(null as unknown as number[])).toThrow(InterfaceError)
  })

  it('refuses a separator that is not a fragment', () => {
    expect(() => sql.join([1, 2], ' or 1=1 or ' as unknown as ReturnType<typeof sql>)).toThrow(
      /separator must be a fragment/,
    )
  })
})

describe('sql.in', () => {
  it('gives one parameter per item in parentheses', () => {
    const q = sql`select * from t where id in ${sql.in([10, 20, 30])}`
    expect(q.text).toBe('select * from t where id in ($1, $2, $3)')
    expect(q.values).toEqual([10, 20, 30])
    expect(sql.in(['one']).text).toBe('($1)')
  })

  it('numbers after earlier parameters and splices fragment items', () => {
    const q = sql`select ${0} where id in ${sql.in([1, sql`${2} + 1`])} and id not in ${sql.in(new Set([3]))}`
    expect(q.text).toBe('select $1 where id in ($2, $3 + 1) and id not in ($4)')
    expect(q.values).toEqual([0, 1, 2, 3])
    expect(sql.in([sql`select id from u where x = ${1}`]).text).toBe(
      '(select id from u where x = $1)',
    )
  })

  it('gives a zero-row text subquery for the empty list', () => {
    const q = sql`select * from t where id in ${sql.in([])}`
    expect(q.text).toBe('select * from t where id in (select null where false)')
    expect(q.values).toEqual([])
  })

  it('types the empty list with elementType, used only when empty', () => {
    expect(sql.in([], sql`int8`).text).toBe('(select null::int8 where false)')
    expect(sql.in([], sql.id('app.mood')).text).toBe('(select null::"app"."mood" where false)')
    expect(sql.in([1, 2], sql`int8`).text).toBe('($1, $2)')
    expect(sql`${1} not in ${sql.in([], sql`uuid`)}`.text).toBe(
      '$1 not in (select null::uuid where false)',
    )
  })

  it('refuses a string list and a non-fragment elementType', () => {
    expect(() => sql.in('abc')).toThrow(/not a list/)
    expect(() => sql.in([], 'int8; drop table t' as unknown as ReturnType<typeof sql>)).toThrow(
      /elementType must be a fragment/,
    )
  })
})

describe('sql.unsafe', () => {
  it('puts trusted text in verbatim', () => {
    const direction = (desc: boolean) => sql.unsafe(desc ? 'desc' : 'asc')
    const q = sql`select * from t order by ${sql.id('created_at')} ${direction(true)} limit ${5}`
    expect(q.text).toBe('select * from t order by "created_at" desc limit $1')
    expect(q.values).toEqual([5])
    expect(sql.unsafe('').text).toBe('')
  })

  it('refuses anything but a string', () => {
    const unsafe = sql.unsafe as (x: unknown) => unknown
    expect(() => unsafe(1)).toThrow(/must be a string/)
    expect(() => unsafe(sql`x`)).toThrow(InterfaceError)
  })
})

describe('sql.value and sql.empty', () => {
  it('wraps one value as a parameter', () => {
    const q = sql.join([sql.value('a'), sql`default`, sql.value(null)])
    expect(q.text).toBe('$1, default, $2')
    expect(q.values).toEqual(['a', null])
    expect(sql.value([1, 2]).values).toEqual([[1, 2]])
  })

  it('refuses a fragment', () => {
    expect(() => sql.value(sql`x`)).toThrow(/already a fragment/)
  })

  it('has an empty fragment', () => {
    expect(sql.empty.text).toBe('')
    expect(sql.empty.values).toEqual([])
    expect(sql.empty.strings).toEqual([''])
    expect(sql`select 1 ${sql.empty}where ${2}`.text).toBe('select 1 where $1')
  })
})

describe('the sql object', () => {
  it('is frozen: helpers cannot be replaced', () => {
    expect(Object.isFrozen(sql)).toBe(true)
    expect(() => {
      ;(sql as { unsafe: unknown }).unsafe = () => sql.empty
    }).toThrow(TypeError)
  })
})
