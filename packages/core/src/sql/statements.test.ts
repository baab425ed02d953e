import { describe, expect, it } from 'vitest'
import { hasMultipleStatements } from './statements.js'

describe('hasMultipleStatements', () => {
  it('sees one statement with or without a trailing semicolon', () => {
    expect(hasMultipleStatements('select 1')).toBe(false)
    expect(hasMultipleStatements('BEGIN;')).toBe(false)
    expect(hasMultipleStatements('commit ;  -- done\n /* c */ ;')).toBe(false)
  })

  it('sees two statements separated by a semicolon', () => {
    expect(hasMultipleStatements('create table a (x int); create table b (y int)')).toBe(true)
    expect(hasMultipleStatements('select 1;select 2;')).toBe(true)
    expect(hasMultipleStatements("select 1; 'x'")).toBe(true)
  })

  it('ignores semicolons inside literals, identifiers, dollar quotes and comments', () => {
    expect(hasMultipleStatements("select ';' as a")).toBe(false)
    expect(hasMultipleStatements("select 'it''s; here'")).toBe(false)
    expect(hasMultipleStatements("select E'a\\'; b'")).toBe(false)
    expect(hasMultipleStatements('select 1 as ";"')).toBe(false)
    expect(hasMultipleStatements('select 1 -- a; b\n')).toBe(false)
    expect(hasMultipleStatements('select /* a; /* b; */ c; */ 1')).toBe(false)
    expect(
      hasMultipleStatements(
        'create function f() returns int as $body$ select 1; $body$ language sql',
      ),
    ).toBe(false)
    expect(hasMultipleStatements('do $$ begin perform 1; end $$')).toBe(false)
  })

  it.each([
    ['select 1;  -- done\n', false],
    ['select 1; /* c */ ;', false],
    ['select $tag$ ; $other$ ; $tag$ as x', false],
    ['select 1; -- c\n select 2', true],
    ['do $$ begin perform 1; end $$; select 1', true],
  ] as const)('%j → %s', (sql, expected) => {
    expect(hasMultipleStatements(sql)).toBe(expected)
  })

  it('does not take a positional parameter for a dollar quote', () => {
    expect(hasMultipleStatements('select $1; select $2')).toBe(true)
    expect(hasMultipleStatements('select a$b$ from t; select 1')).toBe(true)
  })
})
