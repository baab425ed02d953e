/**
 * bytea's text forms read into a Node `Buffer`, the class `pg` returns for bytea. Uses the
 * `Buffer` global, which is why this module lives behind the `@tusk/core/pg` subpath and never
 * in the package's main entry.
 */

/**
 * bytea's text output — `\x` hex (PostgreSQL 9.0+ default) or the older escape format
 * (`bytea_output = escape`: octal `\ooo` and doubled backslashes) — as a new `Buffer`. Any
 * input terminates: a lone backslash that starts no escape is kept as a byte.
 */
export function parsePgBytea(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex')
  const bytes: number[] = []
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '\\') {
      bytes.push(text.charCodeAt(i) & 0xff)
      i++
    } else if (/^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8))
      i += 4
    } else {
      let run = 1
      while (i + run < text.length && text[i + run] === '\\') run++
      const pairs = Math.floor(run / 2)
      for (let k = 0; k < pairs; k++) bytes.push(0x5c)
      if (pairs > 0) i += pairs * 2
      else {
        // A lone backslash that starts no octal escape: PostgreSQL never prints one; consuming it
        // as a byte keeps the loop advancing on any input.
        bytes.push(0x5c)
        i++
      }
    }
  }
  return Buffer.from(bytes)
}
