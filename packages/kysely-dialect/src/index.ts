/**
 * @tusk/kysely-dialect — Kysely's PostgreSQL dialect over @tusk/core: a one-line swap for
 * `PostgresDialect` that keeps what `.execute()` returns and adds real cancellation, cursors in
 * bounded memory and typed errors.
 * @packageDocumentation
 */

/** The `pg` value mapping the dialect applies by default; see `@tusk/core/pg`. */
export { type IntervalField, PostgresInterval, pgTypes } from '@tusk/core/pg'
export type { AbortOptions } from './abort.js'
export { type ControlConnectionProvider, TuskConnection } from './connection.js'
export { TuskDialect } from './dialect.js'
export { type TuskDialectConfig, TuskDriver, type TypeMapping } from './driver.js'
