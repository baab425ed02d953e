/** One CSV line (RFC 4180): fields with a comma, quote or line break are quoted. */
export function csvLine(values: readonly unknown[]): string {
  return `${values
    .map((value) => {
      const text = value instanceof Date ? value.toISOString() : value == null ? '' : String(value)
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
    })
    .join(',')}\r\n`
}
