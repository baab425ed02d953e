/**
 * Applies the migrations of prisma/migrations in order, as `prisma migrate deploy` does, and
 * records them in Prisma's own `_prisma_migrations` table (same columns, checksum = SHA-256 of
 * migration.sql), so the Prisma CLI, where it can run, sees them as applied. Each migration runs
 * as one script in one transaction with its record, under an advisory lock so two starts cannot
 * apply the same one twice. This is the offline path: Prisma Migrate's native schema engine is not
 * on the npm registry (see README).
 */
import { createHash, randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { connect } from '@tusk/core'

const migrationsDir = path.resolve(import.meta.dirname, '..', 'prisma', 'migrations')

/** Prisma Migrate's bookkeeping table, as the schema engine creates it. */
const MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`

/** An arbitrary advisory lock key for this app's migrations. */
const LOCK_KEY = 72707369

/** What a migration run did: the names applied now, and those found applied already. */
export interface MigrationReport {
  applied: string[]
  skipped: string[]
}

/** Applies every migration of prisma/migrations not yet recorded in the database at `url`. */
export async function applyMigrations(url: string): Promise<MigrationReport> {
  const names = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
  const session = await connect(url)
  const report: MigrationReport = { applied: [], skipped: [] }
  try {
    await session.exec(MIGRATIONS_TABLE)
    await session.query('select pg_advisory_lock($1)', [LOCK_KEY])
    const { rows } = await session.query<{ migration_name: string; checksum: string }>(
      'select migration_name, checksum from "_prisma_migrations" where rolled_back_at is null and finished_at is not null',
    )
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]))
    for (const name of names) {
      const script = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8')
      const checksum = createHash('sha256').update(script).digest('hex')
      const recorded = done.get(name)
      if (recorded !== undefined) {
        if (recorded !== checksum) {
          throw new Error(`migration ${name} was changed after it was applied (checksum differs)`)
        }
        report.skipped.push(name)
        continue
      }
      await session.transaction(async (tx) => {
        await tx.exec(script)
        await tx.query(
          `insert into "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
           values ($1, $2, $3, now(), 1)`,
          [randomUUID(), checksum, name],
        )
      })
      report.applied.push(name)
    }
    await session.query('select pg_advisory_unlock($1)', [LOCK_KEY])
  } finally {
    await session.close()
  }
  return report
}
