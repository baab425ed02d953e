/**
 * Every tested Kysely release (lowest and highest of each minor line of the peer range), with the
 * dialect's own `kysely` imports pointed at it, as in an app that installs only that release:
 * query builder, values as PostgresDialect + pg return them, transactions and savepoints (and what
 * Kysely's `log` sees of them, compared with PostgresDialect + pg), streams, errors, migrations.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { errors } from '@tusk/core'
import { shape } from '@tusk/testkit/shape'
import { testServers } from '@tusk/testkit/vitest'
import type { Dialect, Generated, Kysely, LogEvent } from 'kysely'
import pg from 'pg'
import Cursor from 'pg-cursor'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as Dialects from '../src/index.js'
import { KYSELY_RELEASES, type KyselyModule } from './kysely-versions.js'

interface Database {
  rel_items: { id: Generated<number>; label: string; made: Date | null; n: string | null }
}

/** Loads the dialect's source afresh, its `kysely` imports resolving to `release`. */
async function dialectOn(
  alias: string,
  load: () => Promise<KyselyModule>,
): Promise<typeof Dialects> {
  vi.resetModules()
  if (alias === 'kysely') vi.doUnmock('kysely')
  else vi.doMock('kysely', load)
  try {
    return await import('../src/index.js')
  } finally {
    vi.doUnmock('kysely')
  }
}

const servers = testServers()

describe.each(KYSELY_RELEASES.map((r) => [r.version, r] as const))(
  'Kysely %s',
  (version, release) => {
    describe.each(servers.map((s) => [s.name, s] as const))('on %s', (_n, server) => {
      const table = `rel_items_${version.replaceAll('.', '_')}`
      let k: KyselyModule
      let dialects: typeof Dialects
      let db: Kysely<Database>
      let ref: Kysely<Database>
      const log: string[] = []
      const refLog: string[] = []

      /** Kysely's `log` option, keeping `level: sql` of every event. */
      const into = (lines: string[]) => (event: LogEvent) => {
        lines.push(`${event.level}: ${event.query.sql}`)
      }

      beforeAll(async () => {
        k = await release.load()
        dialects = await dialectOn(release.alias, release.load)
        // Typed against the newest Kysely; at run time both sides are `release`.
        const dialect = new dialects.TuskDialect({ conninfo: server.url }) as unknown as Dialect
        db = new k.Kysely<Database>({ dialect, log: into(log) })
        const pool = new pg.Pool({ connectionString: server.url, max: 2 })
        pool.on('error', () => {})
        ref = new k.Kysely<Database>({
          dialect: new k.PostgresDialect({ pool, cursor: Cursor }),
          log: into(refLog),
        })
        await k.sql`drop table if exists ${k.sql.table(table)}`.execute(db)
        await db.schema
          .createTable(table)
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('label', 'text', (c) => c.notNull().unique())
          .addColumn('made', 'timestamp')
          .addColumn('n', 'int8')
          .execute()
      })
      afterAll(async () => {
        await k.sql`drop table if exists ${k.sql.table(table)}`.execute(db).catch(() => {})
        await db?.destroy()
        await ref?.destroy()
      })

      /** The table, typed as `rel_items` (each release has its own). */
      const items = () => table as 'rel_items'

      it('runs the dialect on this release', async () => {
        const installed = JSON.parse(
          readFileSync(
            path.join(import.meta.dirname, '..', 'node_modules', release.alias, 'package.json'),
            'utf8',
          ),
        ) as { version: string }
        expect(installed.version).toBe(version)
        // The dialect hands out this release's compiler: its `kysely` import is this release.
        expect(new dialects.TuskDialect().createQueryCompiler()).toBeInstanceOf(
          k.PostgresQueryCompiler,
        )
        expect(db).toBeInstanceOf(k.Kysely)
      })

      it('round-trips through the query builder with the values PostgresDialect + pg gives', async () => {
        const made = new Date(2024, 4, 6, 7, 8, 9, 10)
        const inserted = await db
          .insertInto(items())
          .values({ label: 'a', made, n: '9007199254740993' })
          .returningAll()
          .executeTakeFirstOrThrow()
        const viaPg = await ref.selectFrom(items()).selectAll().executeTakeFirstOrThrow()
        expect(shape(inserted)).toEqual(shape(viaPg))
        expect(inserted.made).toEqual(made)
        const updated = await db.updateTable(items()).set({ n: null }).executeTakeFirst()
        expect(updated.numUpdatedRows).toBe(1n)
      })

      it('sends transaction and savepoint statements through Kysely, as PostgresDialect does', async () => {
        async function script(on: Kysely<Database>, lines: string[]): Promise<string[]> {
          lines.length = 0
          await on.transaction().execute(async (trx) => {
            await trx.selectFrom(items()).select('id').execute()
          })
          await on
            .transaction()
            .setIsolationLevel('repeatable read')
            .setAccessMode('read only')
            .execute(async (trx) => {
              await trx.selectFrom(items()).select('id').execute()
            })
          await on
            .transaction()
            .execute(async () => {
              throw new Error('undo')
            })
            .catch(() => {})
          const trx = await on.startTransaction().setAccessMode('read write').execute()
          const sp = await trx.savepoint('sp "1"').execute()
          await sp.selectFrom(items()).select('id').execute()
          const back = await sp.rollbackToSavepoint('sp "1"').execute()
          const sp2 = await back.savepoint('two').execute()
          const released = await sp2.releaseSavepoint('two').execute()
          await released.rollback().execute()
          const done = await on.startTransaction().execute()
          await done.commit().execute()
          return [...lines]
        }
        const ours = await script(db, log)
        const theirs = await script(ref, refLog)
        expect(ours).toEqual(theirs)
        expect(ours.filter((l) => !l.includes('select'))).toEqual([
          'query: begin',
          'query: commit',
          'query: start transaction isolation level repeatable read read only',
          'query: commit',
          'query: begin',
          'query: rollback',
          'query: start transaction read write',
          'query: savepoint "sp ""1"""',
          'query: rollback to "sp ""1"""',
          'query: savepoint "two"',
          'query: release "two"',
          'query: rollback',
          'query: begin',
          'query: commit',
        ])
      })

      it('rejects a COMMIT that the server turned into ROLLBACK, the log as with PostgresDialect', async () => {
        const kyselyHasClass = 'AbortedTransactionError' in k
        async function failedCommit(on: Kysely<Database>, lines: string[]) {
          lines.length = 0
          const trx = await on.startTransaction().execute()
          await trx.insertInto(items()).values({ label: 'kept?' }).execute()
          const first = await k.sql`select 1/0`.execute(trx).catch((e: unknown) => e)
          const err = await trx
            .commit()
            .execute()
            .then(
              () => undefined,
              (e: unknown) => e,
            )
          const sent = [...lines]
          // Before Kysely knew AbortedTransactionError, an app rolls back after a failed commit
          // (as Kysely documents) to give the session back.
          if (!trx.isRolledBack && !trx.isCommitted) await trx.rollback().execute()
          return { first, err, sent, rolledBack: trx.isRolledBack }
        }
        const ours = await failedCommit(db, log)
        const theirs = await failedCommit(ref, refLog)
        expect(ours.sent).toEqual(theirs.sent)
        expect(ours.sent.at(-2)).toBe('error: select 1/0')
        expect(ours.sent.at(-1)).toBe('query: commit')
        expect(ours.first).toBeInstanceOf(errors.DivisionByZero)
        const err = ours.err as Error
        expect(err.name).toBe('AbortedTransactionError')
        const inFailed = (kyselyHasClass ? err.cause : err) as Error
        expect(inFailed).toBeInstanceOf(errors.InFailedSqlTransaction)
        expect(inFailed.cause).toBe(ours.first)
        if (kyselyHasClass) {
          expect(err).toBeInstanceOf(
            (k as unknown as { AbortedTransactionError: typeof Error }).AbortedTransactionError,
          )
          expect(theirs.err).toBeInstanceOf(err.constructor)
          expect(ours.rolledBack).toBe(true)
        } else {
          // PostgresDialect on this release reports the same COMMIT as a success.
          expect(theirs.err).toBeUndefined()
        }
        const labels = await db.selectFrom(items()).select('label').execute()
        expect(labels.map((r) => r.label)).toEqual(['a'])
      })

      it('runs transactions and savepoints', async () => {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto(items()).values({ label: 'tx' }).execute()
        })
        const trx = await db.startTransaction().execute()
        const sp = await trx.savepoint('sp').execute()
        await sp.insertInto(items()).values({ label: 'undone' }).execute()
        const back = await sp.rollbackToSavepoint('sp').execute()
        await back.insertInto(items()).values({ label: 'after' }).execute()
        await back.commit().execute()
        const labels = await db.selectFrom(items()).select('label').orderBy('id').execute()
        expect(labels.map((r) => r.label)).toEqual(['a', 'tx', 'after'])
      })

      it('streams and reports errors as @tusk/core classes', async () => {
        let n = 0
        for await (const _ of db.selectFrom(items()).selectAll().stream(1)) n++
        expect(n).toBe(3)
        await expect(
          db.insertInto(items()).values({ label: 'a' }).execute(),
        ).rejects.toBeInstanceOf(errors.UniqueViolation)
      })

      it("runs this release's Migrator", async () => {
        const suffix = version.replaceAll('.', '_')
        const Migrator = await release.migrator()
        const migrator = new Migrator({
          db,
          migrationTableName: `rel_migrations_${suffix}`,
          migrationLockTableName: `rel_migrations_lock_${suffix}`,
          provider: {
            getMigrations: async () => ({
              '1': {
                up: async (m: Kysely<unknown>) => {
                  await m.schema
                    .createTable(`rel_migrated_${suffix}`)
                    .addColumn('x', 'integer')
                    .execute()
                },
                down: async (m: Kysely<unknown>) => {
                  await m.schema.dropTable(`rel_migrated_${suffix}`).execute()
                },
              },
            }),
          },
        })
        expect((await migrator.migrateToLatest()).error).toBeUndefined()
        expect((await migrator.migrateDown()).error).toBeUndefined()
        await k.sql`drop table ${k.sql.table(`rel_migrations_${suffix}`)}, ${k.sql.table(`rel_migrations_lock_${suffix}`)}`.execute(
          db,
        )
      })
    })
  },
)
