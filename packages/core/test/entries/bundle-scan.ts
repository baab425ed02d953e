// What a bundle imports and exports, read from its text: for the checks that the `workerd` and
// `default` bundles import no `node:` module and export what the Node entry exports.

/** Module specifiers of every static import, dynamic import and require in `code`. */
export function specifiers(code: string): string[] {
  const found = new Set<string>()
  const patterns = [
    /\bimport\s+(?:[\w*{}\s,$]+\s+from\s+)?["']([^"']+)["']/g,
    /\bexport\s+[\w*{}\s,$]+\s+from\s+["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ]
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.add(m[1]!)
  return [...found].sort()
}

/** The names of a bundle's final `export { … }` list. */
export function exportNames(code: string): string[] {
  const list = /\nexport \{([^}]*)\};?\s*(?:\/\/#[^\n]*\s*)?$/.exec(code)
  if (!list) throw new Error('no export list at the end of the bundle')
  return list[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.split(/\s+as\s+/).pop()!)
    .sort()
}
