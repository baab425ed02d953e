/**
 * The previous Kysely minor (0.28, the other half of the peer range): the dialect's own `kysely`
 * imports are pointed at 0.28 too, as in an app that installs it. Query builder, values as
 * PostgresDialect + pg return them, transactions and savepoints, streams, errors, migrations.
 */
import { errors } from '@tusk/core'
import { shape } from '@tusk/testkit/shape'
import { testServers } from '@tusk/testkit/vitest'
import {
  AbortedTransactionError as Aborted028,
  type Dialect,
  type Generated,
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
} from 'kysely-0.28'
import pg from 'pg'
import Cursor from 'pg-cursor'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { TuskDialect } from '../src/index.js'

vi.mock('kysely', async () => await import('kysely-0.28'))

interface Database {
  old_items: { id: Generated<number>; label: string; made: Date | null; n: string | null }
}

describe.each(testServers().map((s) => [s.name, s] as const))('Kysely 0.28 on %s', (_n, server) => {
  let db: Kysely<Database>
  let ref: Kysely<Database>

  beforeAll(async () => {
    // Typed against the 0.29 this repository compiles with; in an app with 0.28 alone the
    // dialect's own types resolve to 0.28.
    const dialect = new TuskDialect({ conninfo: server.url }) as unknown as Dialect
    db = new Kysely<Database>({ dialect })
    const pool = new pg.Pool({ connectionString: server.url, max: 2 })
    pool.on('error', () => {})
    ref = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) })
    await sql`drop table if exists old_items`.execute(db)
    await db.schema
      .createTable('old_items')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('label', 'text', (c) => c.notNull().unique())
      .addColumn('made', 'timestamp')
      .addColumn('n', 'int8')
      .execute()
  })
  afterAll(async () => {
    await sql`drop table if exists old_items`.execute(db).catch(() => {})
    await db?.destroy()
    await ref?.destroy()
  })

  it('is running Kysely 0.28 inside the dialect too', async () => {
    const kysely = await import('kysely')
    expect('AbortedTransactionError' in kysely).toBe(true)
    expect(kysely.Kysely).toBe(Kysely)
  })

  it('round-trips through the query builder with the values PostgresDialect + pg gives', async () => {
    const made = new Date(2024, 4, 6, 7, 8, 9, 10)
    const inserted = await db
      .insertInto('old_items')
      .values({ label: 'a', made, n: '9007199254740993' })
      .returningAll()
      .executeTakeFirstOrThrow()
    const viaPg = await ref.selectFrom('old_items').selectAll().executeTakeFirstOrThrow()
    expect(shape(inserted)).toEqual(shape(viaPg))
    expect(inserted.made).toEqual(made)
    const updated = await db.updateTable('old_items').set({ n: null }).executeTakeFirst()
    expect(updated.numUpdatedRows).toBe(1n)
  })

  it('runs transactions, savepoints and aborted commits', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('old_items').values({ label: 'tx' }).execute()
    })
    const trx = await db.startTransaction().execute()
    const sp = await trx.savepoint('sp').execute()
    await sp.insertInto('old_items').values({ label: 'undone' }).execute()
    const back = await sp.rollbackToSavepoint('sp').execute()
    await expect(sql`select 1/0`.execute(back)).rejects.toBeInstanceOf(errors.DivisionByZero)
    const err = await back
      .commit()
      .execute()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Aborted028)
    const labels = await db.selectFrom('old_items').select('label').orderBy('id').execute()
    expect(labels.map((r) => r.label)).toEqual(['a', 'tx'])
  })

  it('streams and reports errors as @tusk/core classes', async () => {
    let n = 0
    for await (const _ of db.selectFrom('old_items').selectAll().stream(1)) n++
    expect(n).toBe(2)
    await expect(
      db.insertInto('old_items').values({ label: 'a' }).execute(),
    ).rejects.toBeInstanceOf(errors.UniqueViolation)
  })

  it("runs Kysely 0.28's Migrator", async () => {
    const migrator = new Migrator({
      db,
      migrationTableName: 'old_migrations',
      migrationLockTableName: 'old_migrations_lock',
      provider: {
        getMigrations: async () => ({
          '1': {
            up: async (m: Kysely<unknown>) => {
              await m.schema.createTable('old_migrated').addColumn('x', 'integer').execute()
            },
            down: async (m: Kysely<unknown>) => {
              await m.schema.dropTable('old_migrated').execute()
            },
          },
        }),
      },
    })
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    expect((await migrator.migrateDown()).error).toBeUndefined()
    await sql`drop table old_migrations, old_migrations_lock`.execute(db)
  })
})
