/**
 * Rendering of query parameter values for error messages, used only when a caller opts in with
 * `includeValues`. Pure: no imports.
 */

/** Longest rendering of one value before it is cut with `…`. */
const MAX_VALUE_CHARS = 120

/** At most this many bytes of a binary value are shown in hex. */
const MAX_BINARY_BYTES = 32

/** Renders one value as a short SQL-ish literal: `NULL`, `'text'`, `42`, `'\x0a0b…'`. */
export function formatParameter(value: unknown): string {
  let text: string
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'string') text = `'${value.replaceAll("'", "''")}'`
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value)
  else if (typeof value === 'bigint') text = value.toString()
  else if (value instanceof Date)
    text = `'${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}'`
  else if (value instanceof Uint8Array) {
    let hex = ''
    for (const byte of value.subarray(0, MAX_BINARY_BYTES))
      hex += byte.toString(16).padStart(2, '0')
    text = `'\\x${hex}${value.length > MAX_BINARY_BYTES ? '…' : ''}' (${value.length} bytes)`
  } else {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = Object.prototype.toString.call(value)
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text
}

/** Renders a parameter list as `$1 = 'a', $2 = 42` (one line, each value cut to a short length). */
export function formatParameters(values: readonly unknown[]): string {
  return values.map((v, i) => `$${i + 1} = ${formatParameter(v)}`).join(', ')
}
