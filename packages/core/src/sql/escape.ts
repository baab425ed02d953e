// Quoting of identifiers and string literals for the few places SQL cannot take a parameter.
// Pure: imports only errors/; assumes client_encoding UTF8, the only encoding Tusk speaks.
import { InterfaceError } from '../errors/base.js'

/** The index of the first NUL character of `s`, or -1. */
function nulIndex(s: string): number {
  return s.indexOf('\0')
}

/**
 * `name` as a double-quoted identifier, `"` doubled. `caller` prefixes error messages. Throws
 * InterfaceError for a non-string, an empty string or a NUL character.
 */
export function quoteIdentifier(name: unknown, caller: string): string {
  if (typeof name !== 'string') {
    throw new InterfaceError(`${caller}: an identifier must be a string, got ${typeof name}`)
  }
  if (name.length === 0) throw new InterfaceError(`${caller}: an identifier cannot be empty`)
  const nul = nulIndex(name)
  if (nul !== -1) {
    throw new InterfaceError(
      `${caller}: an identifier cannot contain a NUL character (U+0000 at index ${nul}); PostgreSQL names cannot hold it`,
    )
  }
  return '"' + name.replaceAll('"', '""') + '"'
}

/**
 * `name` as a quoted identifier: `"` + name with every `"` doubled + `"` (PQescapeIdentifier).
 * Case is kept (`Users` stays `"Users"`); names over 63 bytes are truncated by the server. Throws
 * InterfaceError when `name` is empty or holds a NUL character. Prefer `sql.id` inside `sql`.
 */
export function escapeIdentifier(name: string): string {
  return quoteIdentifier(name, 'escapeIdentifier')
}

/**
 * `value` as a string literal, for statements that take no parameters (e.g. `SET`, DDL): `'…'` with
 * `'` doubled; when it holds a backslash, `E'…'` with `\` doubled too, so it reads the same whatever
 * `standard_conforming_strings` says (as PQescapeLiteral, without its leading space). Throws
 * InterfaceError on a NUL character (text cannot hold one); the message never shows the value.
 * Prefer a parameter (`sql` interpolation) wherever the server accepts one.
 */
export function escapeLiteral(value: string): string {
  if (typeof value !== 'string') {
    throw new InterfaceError(`escapeLiteral: the value must be a string, got ${typeof value}`)
  }
  const nul = nulIndex(value)
  if (nul !== -1) {
    throw new InterfaceError(
      `escapeLiteral: the string contains a NUL character (U+0000 at index ${nul}); PostgreSQL text cannot hold it`,
    )
  }
  if (value.includes('\\')) return "E'" + value.replace(/['\\]/g, '$&$&') + "'"
  return "'" + value.replaceAll("'", "''") + "'"
}
