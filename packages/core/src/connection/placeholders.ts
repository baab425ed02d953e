/**
 * Finds the highest `$n` parameter placeholder in SQL text, skipping string literals, quoted
 * identifiers, dollar-quoted strings and comments, so a wrong parameter count fails before sending.
 */

const DOLLAR = 0x24
const QUOTE = 0x27
const DQUOTE = 0x22
const DASH = 0x2d
const SLASH = 0x2f
const STAR = 0x2a
const BACKSLASH = 0x5c

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isIdentChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    isDigit(c) ||
    c === 0x5f ||
    c === DOLLAR ||
    c >= 0x80
  )
}

/** The end (exclusive) of a dollar-quote tag starting at `i` (`$tag$`), or -1 if none starts there. */
function dollarTagEnd(sql: string, i: number): number {
  let j = i + 1
  const first = sql.charCodeAt(j)
  if (first === DOLLAR) return j + 1
  if (!(isIdentChar(first) && !isDigit(first) && first !== DOLLAR)) return -1
  while (j < sql.length && isIdentChar(sql.charCodeAt(j)) && sql.charCodeAt(j) !== DOLLAR) j++
  return sql.charCodeAt(j) === DOLLAR ? j + 1 : -1
}

/**
 * The highest placeholder number in `sql` (0 when there is none). Follows PostgreSQL's lexer for
 * what is *not* a placeholder: text in `'…'`, `E'…'` (backslash escapes), `"…"`, `$tag$…$tag$`,
 * `-- …` and nested `/* … *\/` comments, and `$` inside an identifier such as `a$1`.
 */
export function highestPlaceholder(sql: string): number {
  let max = 0
  const n = sql.length
  let i = 0
  while (i < n) {
    const c = sql.charCodeAt(i)
    if (c === QUOTE) {
      const escapes =
        i > 0 && (sql.charCodeAt(i - 1) | 0x20) === 0x65 && !isIdentChar(sql.charCodeAt(i - 2))
      i++
      while (i < n) {
        const d = sql.charCodeAt(i)
        if (escapes && d === BACKSLASH) i += 2
        else if (d === QUOTE) {
          if (sql.charCodeAt(i + 1) === QUOTE) i += 2
          else break
        } else i++
      }
      i++
    } else if (c === DQUOTE) {
      i++
      while (i < n) {
        if (sql.charCodeAt(i) === DQUOTE) {
          if (sql.charCodeAt(i + 1) === DQUOTE) i += 2
          else break
        } else i++
      }
      i++
    } else if (c === DASH && sql.charCodeAt(i + 1) === DASH) {
      while (i < n && sql.charCodeAt(i) !== 0x0a) i++
    } else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (sql.charCodeAt(i) === SLASH && sql.charCodeAt(i + 1) === STAR) {
          depth++
          i += 2
        } else if (sql.charCodeAt(i) === STAR && sql.charCodeAt(i + 1) === SLASH) {
          depth--
          i += 2
        } else i++
      }
    } else if (c === DOLLAR) {
      if (i > 0 && isIdentChar(sql.charCodeAt(i - 1))) {
        i++
        continue
      }
      if (isDigit(sql.charCodeAt(i + 1))) {
        let j = i + 1
        let num = 0
        while (j < n && isDigit(sql.charCodeAt(j))) {
          num = num * 10 + (sql.charCodeAt(j) - 0x30)
          if (num > 1e9) num = 1e9
          j++
        }
        if (num > max) max = num
        i = j
        continue
      }
      const end = dollarTagEnd(sql, i)
      if (end < 0) {
        i++
        continue
      }
      const tag = sql.slice(i, end)
      const close = sql.indexOf(tag, end)
      i = close < 0 ? n : close + tag.length
    } else if (isIdentChar(c)) {
      i++
      while (i < n && isIdentChar(sql.charCodeAt(i))) i++
    } else i++
  }
  return max
}
