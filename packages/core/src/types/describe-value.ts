/**
 * Names the kind of a JS value for error messages ("a Date", "a Map"), never its content,
 * so parameter values stay out of messages. Pure.
 */

/** A short description of a JS value's kind, e.g. `a string`, `an array`, `a Map`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  const t = typeof value
  if (t === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return typeof name === 'string' && name !== '' && name !== 'Object'
      ? withArticle(name)
      : 'an object'
  }
  return withArticle(t)
}

/** `a Map`, `an Int32Array`. */
function withArticle(word: string): string {
  return /^[aeiouAEIOU]/.test(word) ? `an ${word}` : `a ${word}`
}
