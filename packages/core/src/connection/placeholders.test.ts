import { describe, expect, it } from 'vitest'
import { highestPlaceholder } from './placeholders.js'

describe('highestPlaceholder', () => {
  it.each([
    ['select 1', 0],
    ['select $1, $2', 2],
    ['select $2', 2],
    ["select '$1', $1", 1],
    ["select 'it''s $3', $1", 1],
    ["select E'\\' $4', $1", 1],
    ['select "$5" from t where x = $1', 1],
    ['select $$ $9 $$, $1', 1],
    ['select $fn$ $9 $fn$, $2', 2],
    ['select 1 -- $7\n, $1', 1],
    ['select /* $3 /* $4 */ $5 */ $1', 1],
    ['select a$1 from t', 0],
    ['select $12', 12],
    ['select x::text[] from t where y = any($1)', 1],
  ])('%s → %i', (sql, n) => {
    expect(highestPlaceholder(sql)).toBe(n)
  })
})
