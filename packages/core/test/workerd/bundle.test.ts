// The Workers bundle (dist/workerd.js, the `workerd` export condition) must load on workerd
// without the nodejs_compat flag: no `node:` import may reach it, and it must export what the
// Node entry exports.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const dist = path.join(import.meta.dirname, '../../dist')
const bundle = readFileSync(path.join(dist, 'workerd.js'), 'utf8')

/** Module specifiers of every static import, dynamic import and require in `code`. */
function specifiers(code: string): string[] {
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
function exportNames(code: string): string[] {
  const list = /\nexport \{([^}]*)\};?\s*(?:\/\/#[^\n]*\s*)?$/.exec(code)
  if (!list) throw new Error('no export list at the end of the bundle')
  return list[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.split(/\s+as\s+/).pop()!)
    .sort()
}

describe('the workerd bundle', () => {
  it('imports nothing but cloudflare:sockets (no node: module, no other file)', () => {
    expect(specifiers(bundle)).toEqual(['cloudflare:sockets'])
    expect(bundle).not.toMatch(/["']node:(?!diagnostics_channel["'])/)
  })

  it('exports the same names as the Node entry', () => {
    const node = readFileSync(path.join(dist, 'index.js'), 'utf8')
    expect(exportNames(bundle)).toEqual(exportNames(node))
    expect(exportNames(bundle)).toContain('createPool')
  })

  it('is what package.json maps the workerd condition to, ahead of import and require', () => {
    const pkg = JSON.parse(readFileSync(path.join(dist, '../package.json'), 'utf8'))
    const conditions = Object.keys(pkg.exports['.'])
    expect(conditions[0]).toBe('workerd')
    expect(pkg.exports['.'].workerd.default).toBe('./dist/workerd.js')
  })
})
