/**
 * Type level: code written against `@types/pg-cursor` compiles against this package's types
 * (compiled by `pnpm typecheck`); a cursor typed as `@types/pg-cursor` declares it accepts ours.
 */
import type { PoolClient, QueryResultRow } from '@tusk/pg-compat'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type Cursor from '../lib/index.cjs'
import type RefCursor from '../node_modules/@types/pg-cursor/index.js'

interface User {
  id: number
  name: string
}

// App code as written against @types/pg-cursor; it only has to compile.
async function appCode(client: PoolClient, C: typeof Cursor): Promise<void> {
  const config: Cursor.CursorQueryConfig = { rowMode: 'array' }
  const cursor = client.query(new C('select * from users where id > $1', [1], config))
  const rows = await cursor.read(100)
  expectTypeOf(rows).toEqualTypeOf<QueryResultRow[]>()
  cursor.read(100, (err, batch, result) => {
    expectTypeOf(err).toEqualTypeOf<Error | undefined>()
    expectTypeOf(batch).toEqualTypeOf<QueryResultRow[]>()
    expectTypeOf(result.rowCount).toEqualTypeOf<number | null>()
  })
  await cursor.close()
  cursor.close((err) => expectTypeOf(err).toEqualTypeOf<Error | undefined>())
  const users = client.query(new C<User>('select id, name from users'))
  const some: User[] = await users.read(10)
  expectTypeOf(some).toEqualTypeOf<User[]>()
  users.on('row', (row) => expectTypeOf(row).toEqualTypeOf<User>())
  await users.close()
}

describe('typings', () => {
  it('accepts configs and callbacks typed with @types/pg-cursor', () => {
    const config: Cursor.CursorQueryConfig = {} as RefCursor.CursorQueryConfig
    const callback: Cursor.ResultCallback<User> = (() =>
      undefined) as RefCursor.ResultCallback<User>
    expect([config, callback]).toHaveLength(2)
    expectTypeOf(appCode).toBeFunction()
  })
})
