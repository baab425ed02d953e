/**
 * @tusk/pg-cursor — a drop-in replacement for `pg-cursor` on @tusk/pg-compat clients, backed by
 * @tusk/core's server-side cursors. The package's main export (`require('@tusk/pg-cursor')`,
 * `import Cursor from '@tusk/pg-cursor'`) is the `Cursor` class itself, as with `pg-cursor`.
 * @packageDocumentation
 */
export {
  Cursor,
  type CursorQueryConfig,
  type CursorState,
  type ResultCallback,
} from './cursor.js'
