/**
 * The first keyword of a statement, found without parsing it: the pool and the connection use it
 * to spot statements that change how later requests on the session behave (BEGIN, COPY).
 */

/** Index of the first character after leading blanks and comments (`--`, nested `/* *\/`). */
function skipBlanksAndComments(sql: string): number {
  const n = sql.length
  let i = 0
  while (i < n) {
    const c = sql.charCodeAt(i)
    if (c === 32 || (c >= 9 && c <= 13)) i++
    else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const end = sql.indexOf('\n', i)
      if (end < 0) return n
      i = end + 1
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        const d = sql.charCodeAt(i)
        const e = sql.charCodeAt(i + 1)
        if (d === 47 && e === 42) {
          depth++
          i += 2
        } else if (d === 42 && e === 47) {
          depth--
          i += 2
        } else i++
      }
    } else break
  }
  return i
}

/** True for a character that may continue an unquoted identifier. */
function identifierChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    c === 36 ||
    c > 127
  )
}

/**
 * True when `sql` starts, after blanks and comments, with one of `words` (lower case) as a
 * whole word, in any letter case (`words` are lower-case ASCII letters).
 */
export function startsWithKeyword(sql: string, words: readonly string[]): boolean {
  const i = skipBlanksAndComments(sql)
  // Char codes, not slices: this runs on every query, and must not allocate.
  for (const word of words) {
    const end = i + word.length
    if (sql.length < end || identifierChar(sql.charCodeAt(end))) continue
    let k = 0
    // ASCII letters only: `| 0x20` lower-cases A–Z and leaves a–z as they are.
    while (k < word.length && (sql.charCodeAt(i + k) | 0x20) === word.charCodeAt(k)) k++
    if (k === word.length) return true
  }
  return false
}

/**
 * True when `sql` starts, after blanks and comments, with BEGIN or START: the only single
 * statements that leave a session inside a transaction block.
 */
export function opensTransactionBlock(sql: string): boolean {
  return startsWithKeyword(sql, ['begin', 'start'])
}
