/**
 * Array literals (`{1.5,NULL,{2,3}}`, `[0:1]={1,2}`) read as `pg` (postgres-array) reads them:
 * nested JS arrays, NULL as null, each other element's unquoted, unescaped text handed to a
 * parser. Pure: imports nothing.
 */

/** A nested array of parsed elements, as {@link parsePgArray} returns it. */
export type PgArray<T> = (T | null | PgArray<T>)[]

/**
 * The elements of a one- or more-dimensional array literal in PostgreSQL's text output, each
 * unquoted and unescaped text passed to `parse` (an unquoted `NULL` stays null), nested arrays as
 * nested JS arrays; lower bounds (`[0:1]=`) are dropped. Throws a `SyntaxError` on a literal
 * whose braces do not balance.
 */
export function parsePgArray<T>(text: string, parse: (element: string) => T): PgArray<T> {
  let i = 0
  if (text[0] === '[') i = text.indexOf('=') + 1
  const read = (): PgArray<T> => {
    const out: PgArray<T> = []
    i++ // {
    let item = ''
    let quoted = false
    let sawQuotes = false
    let pending = false
    const flush = (): void => {
      if (pending || item.length > 0) {
        if (!sawQuotes && item === 'NULL') out.push(null)
        else out.push(parse(item))
      }
      item = ''
      sawQuotes = false
      pending = false
    }
    while (i < text.length) {
      const c = text[i]!
      if (quoted) {
        if (c === '\\') {
          item += text[i + 1] ?? ''
          i += 2
          continue
        }
        if (c === '"') quoted = false
        else item += c
        i++
        continue
      }
      if (c === '{') {
        out.push(read())
        continue
      }
      if (c === '}') {
        flush()
        i++
        return out
      }
      if (c === '"') {
        quoted = true
        sawQuotes = true
        pending = true
      } else if (c === ',') flush()
      else item += c
      i++
    }
    throw new SyntaxError(`unbalanced array literal: ${text.slice(0, 40)}`)
  }
  return read()
}
