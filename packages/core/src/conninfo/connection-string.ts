// A connection string of either form: a `postgresql://` URI or a keyword/value string.
// Dispatches as libpq does (by the URI prefix) and redacts either form for messages and logs.
import { parseKeywordValue, redactKeywordValue } from './keyword-value.js'
import type { ParameterValues } from './parameters.js'
import { isConnectionUri, parseUri, redactUri } from './uri.js'

/**
 * Parses a URI or keyword/value string into the keyword values it sets (no defaults, no value
 * validation), like libpq's `PQconninfoParse`. Throws `ConfigError`.
 */
export function parseConnectionString(conninfo: string): ParameterValues {
  return isConnectionUri(conninfo) ? parseUri(conninfo) : parseKeywordValue(conninfo)
}

/** The connection string with every secret masked as `********`; safe to log or quote. */
export function redactConnectionString(conninfo: string): string {
  return isConnectionUri(conninfo) ? redactUri(conninfo) : redactKeywordValue(conninfo)
}

/** True when a string is a connection string rather than a bare database name (libpq's test). */
export function looksLikeConnectionString(s: string): boolean {
  return isConnectionUri(s) || s.includes('=')
}
