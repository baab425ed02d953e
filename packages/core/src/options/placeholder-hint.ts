// The hint for a parameter-count mismatch in a text written with `?` placeholders (the style of
// MySQL and SQLite drivers): PostgreSQL numbers its placeholders `$1`, `$2`, …
// Pure: scans the SQL text, skipping quoted strings, quoted identifiers and comments.

/** True when `text` has a `?` outside string literals, quoted identifiers and comments. */
export function hasQuestionMark(text: string): boolean {
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 63 /* ? */) return true
    if (c === 39 /* ' */ || c === 34 /* " */) {
      const end = text.indexOf(String.fromCharCode(c), i + 1)
      if (end < 0) return false
      i = end + 1
      continue
    }
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const end = text.indexOf('\n', i + 2)
      if (end < 0) return false
      i = end + 1
      continue
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2)
      if (end < 0) return false
      i = end + 2
      continue
    }
    i++
  }
  return false
}

/**
 * The message for a query given `given` parameters whose text uses `expected` (`$n`), with a
 * pointer to `$1` when the text has `?` where placeholders were meant.
 */
export function placeholderMismatchMessage(
  what: string,
  text: string,
  expected: number,
  given: number,
): string {
  const uses = expected === 0 ? 'no $n placeholders' : `placeholders $1…$${expected}`
  const base = `${what} expects ${expected} parameter${expected === 1 ? '' : 's'} (${uses}) but ${given} ${given === 1 ? 'was' : 'were'} given`
  if (given > expected && hasQuestionMark(text)) {
    return (
      `${base}; PostgreSQL placeholders are $1, $2, … — "?" is not a placeholder ` +
      `(write "where id = $1", not "where id = ?")`
    )
  }
  return base
}
