/**
 * @tusk/core/pg — the value mapping of node-postgres (`pg` with pg-types 2), for adapters whose
 * users expect `pg`'s rows and parameters: results through {@link pgTypes} (a scoped
 * `TypeOptions`, applied per pool, session or query — never process-wide), parameters through
 * {@link preparePgParameters}. Uses Node's `Buffer` global (bytea is a `Buffer`, as with `pg`),
 * so it is a subpath of its own: the main `@tusk/core` entry never loads it. Imports only the
 * type layer of core; no I/O.
 * @packageDocumentation
 */
export { type PgArray, parsePgArray } from './array-literal.js'
export { parsePgBytea } from './bytea-text.js'
export { formatPgDate, parsePgDateTime } from './dates.js'
export { preparePgParameters, preparePgValue } from './parameters.js'
export { type IntervalField, PostgresInterval } from './postgres-interval.js'
export { pgTypeOptions, pgTypes } from './type-options.js'
