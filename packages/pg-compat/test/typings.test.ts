/**
 * Type level: what apps import from `pg` resolves to this package's types and fits the
 * `@types/pg` shapes they were written against (configs typed with @types/pg go in; results come
 * out where @types/pg's result types are expected). Compiled by `pnpm typecheck`; the runtime
 * part checks that the ESM named imports are the module's own.
 */
import pg, {
  Client,
  type CustomTypesConfig,
  DatabaseError,
  Pool,
  type PoolClient,
  type PoolConfig,
  type QueryArrayConfig,
  type QueryConfig,
  type QueryResult,
  type QueryResultRow,
  types,
} from 'pg'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type * as ref from '../node_modules/@types/pg/index.js'

interface User extends QueryResultRow {
  id: number
  name: string
}

// App code as written against @types/pg; it only has to compile.
async function appCode(pool: Pool): Promise<void> {
  const { rows } = await pool.query<User>('select id, name from users where id = $1', [1])
  expectTypeOf(rows).toEqualTypeOf<User[]>()
  const client: PoolClient = await pool.connect()
  try {
    await client.query('begin')
    const config: QueryConfig = { text: 'select $1::int as n', values: [1] }
    const r: QueryResult = await client.query(config)
    expectTypeOf(r.rowCount).toEqualTypeOf<number | null>()
    expectTypeOf(r.command).toEqualTypeOf<string>()
    const arrays: QueryArrayConfig = { text: 'select 1', rowMode: 'array' }
    await client.query(arrays)
    client.query('select 1', (err, res) => {
      expectTypeOf(err).toEqualTypeOf<Error>()
      expectTypeOf(res.rows).toEqualTypeOf<QueryResultRow[]>()
    })
    await client.query('commit')
  } catch (err) {
    if (err instanceof DatabaseError) expectTypeOf(err.code).toEqualTypeOf<string | undefined>()
    throw err
  } finally {
    client.release()
  }
  const standalone = new Client({
    connectionString: 'postgres://localhost/db',
    statement_timeout: 1000,
  })
  standalone.on('notification', (msg) => expectTypeOf(msg.channel).toEqualTypeOf<string>())
  const custom: CustomTypesConfig = { getTypeParser: types.getTypeParser }
  await standalone.query({ text: 'select 1', types: custom })
}

describe('typings', () => {
  it('accepts configs typed with @types/pg and yields results that fit its result types', () => {
    // Each line compiles only if the value on the right fits the type on the left.
    const poolConfig: PoolConfig = {} as ref.PoolConfig
    const clientConfig: pg.ClientConfig = {} as ref.ClientConfig
    const queryConfig: QueryConfig = { text: '' } as ref.QueryConfig
    const result: ref.QueryResult<User> = {} as QueryResult<User>
    const fields: ref.FieldDef[] = [] as pg.FieldDef[]
    expect([poolConfig, clientConfig, queryConfig, result, fields]).toHaveLength(5)
    expectTypeOf<ref.QueryResultRow>().toEqualTypeOf<QueryResultRow>()
    expectTypeOf(appCode).toBeFunction()
  })

  it('exports the same objects as named and as default imports', () => {
    expect(Pool).toBe(pg.Pool)
    expect(Client).toBe(pg.Client)
    expect(types).toBe(pg.types)
    expect(DatabaseError).toBe(pg.DatabaseError)
    expect(new Pool().Client).toBe(Client)
  })
})
