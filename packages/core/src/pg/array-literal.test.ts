/** parsePgArray against postgres-array, as `pg` uses it for numeric[]. */
import { shape } from '@tusk/testkit/shape'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { parsePgArray } from './array-literal.js'

/** pg-types' own parser for an OID: the oracle. */
const pgParser = (oid: number) => pg.types.getTypeParser(oid, 'text') as (text: string) => unknown

describe('parsePgArray', () => {
  it('reads nesting, NULL, quotes and bounds as postgres-array does', () => {
    const oracle = pgParser(1231)
    for (const text of ['{1.5,NaN,NULL,2}', '{{1,2},{3,4}}', '{}', '[0:1]={1,2}', '{"1.5",NULL}']) {
      expect(shape(parsePgArray(text, Number.parseFloat))).toEqual(shape(oracle(text)))
    }
  })
})
