/**
 * Shows where in a query the server points (the ErrorResponse `P` field), the way psql does.
 * Pure: no imports.
 */

/** Lines wider than this many columns are cut around the caret and marked with `...`. */
const MAX_COLUMNS = 60

/** Columns kept to the right of the caret when a long line is cut. */
const RIGHT_CONTEXT = 10

/** How many terminal columns a code point takes: 0 for combining marks, 2 for wide (CJK, emoji). */
function columns(cp: number): number {
  if (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f)
  ) {
    return 0
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2
  }
  return 1
}

/**
 * Renders the line of `query` that holds the 1-based character `position` (code points, as the
 * server counts them, not UTF-16 units or bytes), with a caret under that character:
 *
 * ```
 * LINE 2: select * fro t
 *                  ^
 * ```
 *
 * A position past the end puts the caret after the last character (the server does that for
 * "at end of input"). Tabs in the line are repeated in the caret line, so the caret lines up
 * whatever the tab width. Lines wider than 60 columns are cut around the caret, marked `...`.
 * Returns `undefined` when `position` is not a positive integer.
 */
export function renderQueryPosition(query: string, position: number | string): string | undefined {
  const pos = typeof position === 'string' ? Number(position.trim()) : position
  if (!Number.isInteger(pos) || pos < 1) return undefined
  const chars = Array.from(query)
  const index = Math.min(pos - 1, chars.length)

  let lineNo = 1
  let lineStart = 0
  for (let i = 0; i < index; i++) {
    const c = chars[i]
    if (c === '\n' || (c === '\r' && chars[i + 1] !== '\n')) {
      lineNo++
      lineStart = i + 1
    }
  }
  let lineEnd = lineStart
  while (lineEnd < chars.length && chars[lineEnd] !== '\n' && chars[lineEnd] !== '\r') lineEnd++
  const caret = Math.min(index, lineEnd)

  // widthTo[k] = columns taken by chars[lineStart .. lineStart + k)
  const widthTo: number[] = [0]
  for (let i = lineStart; i < lineEnd; i++) {
    widthTo.push((widthTo[widthTo.length - 1] ?? 0) + columns(chars[i]?.codePointAt(0) ?? 0))
  }
  const width = (from: number, to: number): number =>
    (widthTo[to - lineStart] ?? 0) - (widthTo[from - lineStart] ?? 0)

  let start = lineStart
  let end = lineEnd
  if (width(lineStart, lineEnd) > MAX_COLUMNS) {
    end = lineStart
    while (
      end < lineEnd &&
      (width(lineStart, end) < MAX_COLUMNS || width(caret, end) < RIGHT_CONTEXT)
    ) {
      end++
    }
    while (width(start, end) > MAX_COLUMNS && start < caret) start++
  }

  const head = start > lineStart ? '...' : ''
  const tail = end < lineEnd ? '...' : ''
  const prefix = `LINE ${lineNo}: `
  let pad = ' '.repeat(prefix.length + head.length)
  for (let i = start; i < caret; i++) {
    const c = chars[i] ?? ''
    pad += c === '\t' ? '\t' : ' '.repeat(columns(c.codePointAt(0) ?? 0))
  }
  return `${prefix}${head}${chars.slice(start, end).join('')}${tail}\n${pad}^`
}
