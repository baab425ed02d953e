/**
 * `migrate()` for @tusk/drizzle: applies a drizzle-kit migrations folder (its `meta/_journal.json`
 * and `.sql` files) with Drizzle's own PostgreSQL migration logic, in one transaction, recording
 * each migration in `drizzle.__drizzle_migrations` (or the table and schema configured).
 * @packageDocumentation
 */
import { errors } from '@tusk/core'
import { type MigrationConfig, readMigrationFiles } from 'drizzle-orm/migrator'
import type { PgDialect } from 'drizzle-orm/pg-core'
import type { TuskDatabase } from './driver.js'

export type { MigrationConfig } from 'drizzle-orm/migrator'

/** The Drizzle internals a migration runs on (present on every `PgDatabase` at run time). */
interface MigratableDatabase {
  readonly dialect: PgDialect
  readonly session: Parameters<PgDialect['migrate']>[1]
}

/**
 * Applies the migrations in `config.migrationsFolder` that the database has not seen yet (by
 * their folder timestamp, as drizzle-kit's `migrate` does), all in one transaction: a failing
 * statement rolls every one of them back and rejects with the server's error.
 */
export async function migrate<TSchema extends Record<string, unknown>>(
  db: TuskDatabase<TSchema>,
  config: MigrationConfig,
): Promise<void> {
  const migrations = readMigrationFiles(config)
  const target = db as unknown as Partial<MigratableDatabase>
  if (target.dialect === undefined || target.session === undefined) {
    throw new errors.InterfaceError('migrate() needs a database from @tusk/drizzle')
  }
  await target.dialect.migrate(migrations, target.session, config)
}
