/**
 * Kysely's Migrator over the migrations of src/migrations, listed here so the service needs no
 * file scanning (bundlers and tests see them as ordinary imports).
 */
import type { Kysely } from 'kysely'
import { type MigrationResultSet, Migrator } from 'kysely/migration'
import * as createTodo from './migrations/0001-create-todo.js'
import type { Database } from './schema.js'

/** A Migrator for the service's migrations. */
export function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ '0001-create-todo': createTodo }) },
  })
}

/** Applies every pending migration; throws when one fails. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest()
  if (result.error) throw result.error
  return result
}
