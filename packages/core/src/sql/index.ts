/**
 * SQL composition: the `sql` tagged template, fragments and identifier/literal quoting.
 * Pure: imports only errors/ (no I/O, no Node built-ins); values never enter SQL text.
 */
export { escapeIdentifier, escapeLiteral } from './escape.js'
export { isSqlFragment, MAX_PARAMETERS, type SqlFragment } from './fragment.js'
export { type Sql, sql } from './sql.js'
export { hasMultipleStatements } from './statements.js'
