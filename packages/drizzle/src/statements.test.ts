import { describe, expect, it } from 'vitest'
import { hasMultipleStatements } from './statements.js'

describe('hasMultipleStatements', () => {
  it.each([
    ['select 1', false],
    ['select 1;', false],
    ['select 1;  -- done\n', false],
    ['select 1; /* c */ ;', false],
    ["select ';' as semi", false],
    ['select 1 as "a;b"', false],
    ["select E'\\';' as x", false],
    ['select $$;$$ as x', false],
    ['select $tag$ ; $other$ ; $tag$ as x', false],
    ['select $1::int', false],
    ['create table a (id int); create table b (id int)', true],
    ['select 1;select 2', true],
    ['select 1; -- c\n select 2', true],
    ['do $$ begin perform 1; end $$; select 1', true],
  ] as const)('%j → %s', (sql, expected) => {
    expect(hasMultipleStatements(sql)).toBe(expected)
  })
})
