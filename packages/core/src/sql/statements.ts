// Whether SQL text holds more than one statement: a `;` outside quotes, dollar quotes and
// comments, followed by more than whitespace and comments. Pure.

const SPACE = /\s/

/** Index just past a `--` comment starting at `i`. */
function skipLineComment(sql: string, i: number): number {
  const end = sql.indexOf('\n', i)
  return end < 0 ? sql.length : end + 1
}

/** Index just past a (nested) block comment starting at `i`. */
function skipBlockComment(sql: string, i: number): number {
  let depth = 0
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++
      i += 2
    } else if (sql.startsWith('*/', i)) {
      depth--
      i += 2
      if (depth === 0) return i
    } else i++
  }
  return i
}

/** Index just past a quoted run (`'…'`, `"…"`, `E'…'`) opening at `i`. */
function skipQuoted(sql: string, i: number, quote: string, backslashes: boolean): number {
  i++
  while (i < sql.length) {
    const c = sql[i]
    if (backslashes && c === '\\') i += 2
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2
      else return i + 1
    } else i++
  }
  return i
}

/** The `$tag$` opening at `i`, or undefined (a `$1` placeholder, a `$` inside a name). */
function dollarTag(sql: string, i: number): string | undefined {
  const m = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64))
  return m?.[0]
}

/** Index of the first character that is not whitespace or part of a comment, from `i`. */
function skipBlank(sql: string, i: number): number {
  while (i < sql.length) {
    if (SPACE.test(sql[i]!)) i++
    else if (sql.startsWith('--', i)) i = skipLineComment(sql, i)
    else if (sql.startsWith('/*', i)) i = skipBlockComment(sql, i)
    else return i
  }
  return i
}

/**
 * True when `sql` has a second statement after a `;` (a trailing `;` alone does not count):
 * such text cannot be sent with parameters and must go through the simple protocol (`exec`).
 */
export function hasMultipleStatements(sql: string): boolean {
  if (!sql.includes(';')) return false
  let i = 0
  while (i < sql.length) {
    const c = sql[i]!
    if (c === "'") {
      const prev = sql[i - 1]
      const escaped = (prev === 'E' || prev === 'e') && !/[\w$]/.test(sql[i - 2] ?? '')
      i = skipQuoted(sql, i, "'", escaped)
    } else if (c === '"') i = skipQuoted(sql, i, '"', false)
    else if (c === '-' && sql[i + 1] === '-') i = skipLineComment(sql, i)
    else if (c === '/' && sql[i + 1] === '*') i = skipBlockComment(sql, i)
    else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = dollarTag(sql, i)
      if (tag === undefined) i++
      else {
        const end = sql.indexOf(tag, i + tag.length)
        i = end < 0 ? sql.length : end + tag.length
      }
    } else if (c === ';') {
      const next = skipBlank(sql, i + 1)
      if (next < sql.length && sql[next] !== ';') return true
      i = next
    } else i++
  }
  return false
}
