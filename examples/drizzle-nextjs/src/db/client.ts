/**
 * The database: one Drizzle database on a @tusk/core pool per process, made on first use from
 * DATABASE_URL. It lives on `globalThis` so that `server.ts` (which migrates and seeds) and the
 * route handlers and server components Next.js compiled share one pool, and `server.ts` can end it.
 */
import { drizzle } from '@tusk/drizzle'
import * as schema from './schema'

export type Database = ReturnType<typeof connectDatabase>

function connectDatabase(url: string) {
  return drizzle({ connection: url, pool: { max: 10 }, schema })
}

const shared = globalThis as typeof globalThis & { tuskBooksDb?: Database }

/** The process's database; throws when DATABASE_URL is not set (start the app with `pnpm start`). */
export function db(): Database {
  if (shared.tuskBooksDb === undefined) {
    const url = process.env.DATABASE_URL
    if (!url) throw new Error('DATABASE_URL is not set: start the app with `pnpm start`')
    shared.tuskBooksDb = connectDatabase(url)
  }
  return shared.tuskBooksDb
}

/** Ends the pool, if one was made; the next `db()` makes a new one. */
export async function closeDb(): Promise<void> {
  const current = shared.tuskBooksDb
  shared.tuskBooksDb = undefined
  await current?.$client.end()
}
