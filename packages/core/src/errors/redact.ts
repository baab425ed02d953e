/**
 * Redaction of secrets from any text an error may show (messages, stacks, inspect and JSON output).
 * Pure: no imports.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '***'

/**
 * URI userinfo: `scheme://user:secret@host`. The password runs to the last `@` of the whitespace-free
 * run (within 1024 characters, which keeps the scan linear), so an unencoded `@`, `/` or `:` in it
 * is still hidden (at worst the host is hidden too).
 */
const URI_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)[^\s]{0,1024}@/gi

/** URI query parameter: `?password=secret&…` or `&sslpassword=secret`; the value ends at `&`, `#` or a space. */
const PARAM_PASSWORD = /([?&][\w-]*password=)[^&#\s]*/gi

/**
 * `key=value` connection strings (libpq): `password=secret`, `password = 'se cret'`, with `\'`
 * escapes; also `PGPASSWORD=…` and `sslpassword=…`. Keys right after `?`/`&` are URI parameters.
 */
const KEYWORD_PASSWORD =
  /(^|[^\w?&-])([\w-]*password\s*=\s*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|[^\s'"]\S*|(?=\s|$))/gi

/** Object literals and JSON: `password: 'secret'`, `"password":"secret"`. */
const PROPERTY_PASSWORD =
  /(^|[^\w-])(["']?)([\w-]*password)\2(\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/gi

/** SQL: `ALTER ROLE … PASSWORD 'secret'` (a string literal, `''` escapes). */
const SQL_PASSWORD = /\b(password\s+)'(?:[^']|'')*'?/gi

/**
 * Returns `text` with every password it can recognise replaced by `***`: connection URIs
 * (`postgres://user:***@host`), URI parameters (`?password=***`), libpq `key=value` strings
 * (`password=***`, quoted or not), object/JSON properties and SQL `PASSWORD '…'` literals.
 * It errs on the side of hiding too much. Pure; never throws.
 */
export function redactSecrets(text: string): string {
  if (!/password|:\/\//i.test(text)) return text
  return text
    .replace(URI_PASSWORD, `$1${REDACTED}@`)
    .replace(PARAM_PASSWORD, `$1${REDACTED}`)
    .replace(KEYWORD_PASSWORD, (m: string, lead: string, key: string, value: string) =>
      value === '' ? m : `${lead}${key}${REDACTED}`,
    )
    .replace(PROPERTY_PASSWORD, (_m, lead: string, q: string, key: string, sep: string) => {
      return `${lead}${q}${key}${q}${sep}${q === '"' ? `"${REDACTED}"` : `'${REDACTED}'`}`
    })
    .replace(SQL_PASSWORD, `$1'${REDACTED}'`)
}
