/**
 * `escapeIdentifier` and `escapeLiteral` with the exact output of `pg`'s (which differs from
 * @tusk/core's in one place: a literal holding a backslash gets a leading space, ` E'…'`).
 */

/** `"name"` with every `"` doubled. */
export function escapeIdentifier(name: string): string {
  return `"${String(name).replace(/"/g, '""')}"`
}

/** `'value'` with `'` doubled; with a backslash, ` E'…'` with `\` doubled too. */
export function escapeLiteral(value: string): string {
  const text = String(value)
  const quoted = `'${text.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`
  return text.includes('\\') ? ` E${quoted}` : quoted
}
