/**
 * `iterate()`: streams the rows of a Drizzle query, or of raw SQL, through a @tusk/core cursor in
 * bounded memory. Drizzle's PostgreSQL query builders have no iterator of their own.
 */
import { errors } from '@tusk/core'
import { is, type SQLWrapper } from 'drizzle-orm'
import { type IterateOptions, TuskPreparedQuery, TuskSession } from './session.js'

/**
 * A Drizzle query that can be prepared: a select (`db.select()…`), an insert/update/delete with
 * `returning()`, or a relational `db.query.table.findMany()`.
 */
export interface IterableQuery<R> {
  prepare(name: string): { execute(placeholders?: Record<string, unknown>): Promise<R[]> }
}

/** A database or transaction from this package's `drizzle()` (its public `_` carries the session). */
export interface IterableDatabase {
  readonly _: { readonly session: unknown }
}

/** Options of {@link iterate} for a query builder. */
export interface IterateQueryOptions extends IterateOptions {
  /** Values of the query's `sql.placeholder()`s. */
  readonly placeholders?: Record<string, unknown>
}

type Generic = TuskPreparedQuery<{ execute: unknown[]; all: unknown; values: unknown }>

function notOurs(): errors.InterfaceError {
  return new errors.InterfaceError(
    'iterate() needs a query or database built with drizzle() from @tusk/drizzle',
  )
}

/**
 * Streams the rows of `query`, the same rows `await query` gives, read from a server-side cursor
 * `batchSize` at a time (at most two batches in memory). Breaking out of the loop, a throw in it,
 * or `signal` closes the cursor. On a pool the cursor holds one connection until it closes;
 * inside a transaction it runs on the transaction's.
 *
 * ```ts
 * for await (const user of iterate(db.select().from(users).orderBy(users.id), { batchSize: 500 })) {}
 * ```
 */
export function iterate<R>(
  query: IterableQuery<R>,
  options?: IterateQueryOptions,
): AsyncGenerator<R, void, undefined>
/**
 * Streams the rows of raw SQL run on `db` (a database or transaction), as objects keyed by
 * column name with the values `db.execute()` gives.
 *
 * ```ts
 * for await (const row of iterate(db, sql`select * from events where day = ${day}`)) {}
 * ```
 */
export function iterate<R extends Record<string, unknown> = Record<string, unknown>>(
  db: IterableDatabase,
  query: SQLWrapper | string,
  options?: IterateOptions,
): AsyncGenerator<R, void, undefined>
export function iterate(
  source: IterableQuery<unknown> | IterableDatabase,
  queryOrOptions?: SQLWrapper | string | IterateQueryOptions,
  maybeOptions?: IterateOptions,
): AsyncGenerator<unknown, void, undefined> {
  if (typeof queryOrOptions === 'string' || isSqlWrapper(queryOrOptions)) {
    const session = (source as Partial<IterableDatabase>)._?.session
    if (!is(session, TuskSession)) throw notOurs()
    return (session.prepareRaw(queryOrOptions) as Generic).iterator({}, maybeOptions)
  }
  if (typeof (source as Partial<IterableQuery<unknown>>).prepare !== 'function') throw notOurs()
  const prepared: unknown = (source as IterableQuery<unknown>).prepare('tusk_iterate')
  if (!is(prepared, TuskPreparedQuery)) throw notOurs()
  const { placeholders, ...rest } = queryOrOptions ?? {}
  return (prepared as Generic).iterator(placeholders, rest)
}

function isSqlWrapper(value: unknown): value is SQLWrapper {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<SQLWrapper>).getSQL === 'function'
  )
}
