/**
 * @tusk/pg-query-stream — a drop-in replacement for `pg-query-stream` on @tusk/pg-compat clients,
 * backed by @tusk/core's server-side cursors. The package's main export
 * (`require('@tusk/pg-query-stream')`, `import QueryStream from '@tusk/pg-query-stream'`) is the
 * `QueryStream` class itself, as with `pg-query-stream`.
 * @packageDocumentation
 */
export { QueryStream, type QueryStreamConfig } from './query-stream.js'
