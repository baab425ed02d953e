/**
 * Counting the statements of a SQL text: a `;` ends a statement only outside string literals,
 * quoted identifiers, dollar-quoted bodies and comments. Pure; no I/O.
 */

/** A dollar-quote tag (`$$`, `$body$`) starting at `i`, or undefined when `$` starts no tag. */
function dollarTag(sql: string, i: number): string | undefined {
  const match = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64))
  return match?.[0]
}

/**
 * Where the token starting at `i` ends, when it is a literal, quoted identifier, dollar-quoted
 * body or comment; `i` itself otherwise. An unterminated one runs to the end of the text.
 */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i]
  if (c === "'" || c === '"') {
    // A doubled quote inside stays inside; a backslash only escapes in E'' strings, where a
    // backslash-quote must not end the literal.
    const escapes =
      c === "'" && i > 0 && /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '')
    let j = i + 1
    while (j < sql.length) {
      const d = sql[j]
      if (escapes && d === '\\') j += 2
      else if (d === c && sql[j + 1] === c) j += 2
      else if (d === c) return j + 1
      else j++
    }
    return sql.length
  }
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i)
    return end < 0 ? sql.length : end + 1
  }
  if (c === '/' && sql[i + 1] === '*') {
    let depth = 0
    let j = i
    while (j < sql.length) {
      if (sql[j] === '/' && sql[j + 1] === '*') {
        depth++
        j += 2
      } else if (sql[j] === '*' && sql[j + 1] === '/') {
        depth--
        j += 2
        if (depth === 0) return j
      } else j++
    }
    return sql.length
  }
  if (c === '$' && !/\w/.test(sql[i - 1] ?? '')) {
    const tag = dollarTag(sql, i)
    if (tag === undefined) return i
    const end = sql.indexOf(tag, i + tag.length)
    return end < 0 ? sql.length : end + tag.length
  }
  return i
}

/**
 * True when `sql` holds more than one statement: a `;` outside quotes and comments followed by
 * anything but whitespace, comments and more semicolons. `BEGIN;` is one statement.
 */
export function hasMultipleStatements(sql: string): boolean {
  if (!sql.includes(';')) return false
  let ended = false
  let i = 0
  while (i < sql.length) {
    const c = sql[i] as string
    const next = skipQuoted(sql, i)
    if (next !== i) {
      const comment = c === '-' || c === '/'
      if (ended && !comment) return true
      i = next
      continue
    }
    if (c === ';') ended = true
    else if (ended && !/\s/.test(c)) return true
    i++
  }
  return false
}
