/**
 * Type level: code written against `pg-query-stream`'s own declarations compiles against this
 * package's types (compiled by `pnpm typecheck`).
 */
import { Readable } from 'node:stream'
import type { PoolClient, QueryResultRow } from '@tusk/pg-compat'
import type RefQueryStream from 'pg-query-stream'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type QueryStream from '../lib/index.cjs'

interface Event {
  id: number
  kind: string
}

// App code as written against pg-query-stream; it only has to compile.
async function appCode(client: PoolClient, Q: typeof QueryStream): Promise<void> {
  const config: QueryStream.Config = { batchSize: 500, rowMode: 'array', highWaterMark: 10 }
  const stream = client.query(new Q('select * from events where id > $1', [1], config))
  expectTypeOf(stream).toMatchTypeOf<Readable>()
  for await (const row of stream) void row
  const typed = client.query(new Q<Event>('select id, kind from events'))
  typed.cursor.on('row', (row) => expectTypeOf(row).toEqualTypeOf<Event>())
  typed.on('data', (row: QueryResultRow) => void row)
  typed.destroy()
}

describe('typings', () => {
  it('accepts a config typed with pg-query-stream’s declarations', () => {
    const config: QueryStream.Config = {} as RefQueryStream.Config
    expect([config]).toHaveLength(1)
    expectTypeOf(appCode).toBeFunction()
    expect(Readable).toBeDefined()
  })
})
