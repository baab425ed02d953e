/**
 * @tusk/kysely-dialect — Kysely's PostgreSQL dialect over @tusk/core: a one-line swap for
 * `PostgresDialect` that keeps what `.execute()` returns and adds real cancellation, cursors in
 * bounded memory and typed errors.
 * @packageDocumentation
 */
export type { AbortOptions } from './abort.js'
export { type ControlConnectionProvider, TuskConnection } from './connection.js'
export { TuskDialect } from './dialect.js'
export { type TuskDialectConfig, TuskDriver, type TypeMapping } from './driver.js'
export { pgTypes } from './pg-types.js'
export { type IntervalField, PostgresInterval } from './postgres-interval.js'
