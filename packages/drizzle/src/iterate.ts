/**
 * `iterate()`: streams the rows of a Drizzle query through a @tusk/core cursor, in bounded memory.
 * Drizzle's PostgreSQL query builders have no iterator of their own.
 */
import { errors } from '@tusk/core'
import { is } from 'drizzle-orm'
import { type IterateOptions, TuskPreparedQuery } from './session.js'

/**
 * A Drizzle query that can be prepared: a select (`db.select()…`), an insert/update/delete with
 * `returning()`, or a relational `db.query.table.findMany()`.
 */
export interface IterableQuery<R> {
  prepare(name: string): { execute(placeholders?: Record<string, unknown>): Promise<R[]> }
}

/**
 * Streams the rows of `query` (built on a database from this package's `drizzle()`), the same
 * rows `await query` gives, read from a server-side cursor `batchSize` at a time (at most two
 * batches in memory). Breaking out of the loop, a throw in it, or `signal` closes the cursor.
 * On a pool the cursor holds one connection until it closes; inside a transaction it runs on the
 * transaction's. Placeholders (`sql.placeholder`) take their values from `placeholders`.
 *
 * ```ts
 * for await (const user of iterate(db.select().from(users).orderBy(users.id), { batchSize: 500 })) {}
 * ```
 */
export function iterate<R>(
  query: IterableQuery<R>,
  options: IterateOptions & { placeholders?: Record<string, unknown> } = {},
): AsyncGenerator<R, void, undefined> {
  const prepared: unknown = query.prepare('tusk_iterate')
  if (!is(prepared, TuskPreparedQuery)) {
    throw new errors.InterfaceError(
      'iterate() needs a query built on a database from @tusk/drizzle',
    )
  }
  const { placeholders, ...rest } = options
  return (prepared as TuskPreparedQuery<{ execute: R[]; all: unknown; values: unknown }>).iterator(
    placeholders,
    rest,
  ) as AsyncGenerator<R, void, undefined>
}
