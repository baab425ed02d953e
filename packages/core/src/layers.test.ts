/**
 * The layer arrows, checked on the source: each layer imports only the layers below it, the
 * codec, conninfo and type layers load no runtime module, and only the package entries of
 * Node, Bun and Deno bind the Node runtime.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = path.dirname(new URL(import.meta.url).pathname)

/** Every non-test source file, relative to src/. */
function sources(): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(SRC, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name)
      if (entry.isDirectory()) walk(rel)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(rel)
    }
  }
  walk('.')
  return out.map((f) => f.replace(/^\.\//, ''))
}

/** What `file` imports at run time or for types: relative files (resolved) and bare modules. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8')
  const found: string[] = []
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
    const spec = m[1]!
    if (spec.startsWith('.')) {
      found.push(
        path.posix
          .normalize(path.posix.join(path.posix.dirname(file), spec))
          .replace(/\.js$/, '.ts'),
      )
    } else found.push(spec)
  }
  return found
}

/** Everything `file` reaches through imports. */
function closure(file: string): Set<string> {
  const seen = new Set<string>()
  const stack = [file]
  while (stack.length > 0) {
    const f = stack.pop()!
    if (seen.has(f)) continue
    seen.add(f)
    if (f.endsWith('.ts')) stack.push(...importsOf(f))
  }
  return seen
}

const RUNTIME_MODULES = ['node:net', 'node:tls', 'node:crypto', 'node:fs', 'node:os', 'node:dns']
const ABOVE_CONNECTION = [
  'cursor/',
  'copy/',
  'transaction/',
  'listen/',
  'pool/',
  'session/',
  'cluster/',
]

describe('layers', () => {
  const files = sources()

  it('finds the source files', () => {
    expect(files).toContain('connection/connection.ts')
    expect(files).toContain('session/session.ts')
  })

  it('keeps connection/ free of imports from the layers above it', () => {
    const offending = files
      .filter((f) => f.startsWith('connection/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => ABOVE_CONNECTION.some((layer) => i.startsWith(layer)))
          .map((i) => `${f} → ${i}`),
      )
    expect(offending).toEqual([])
  })

  it.each([
    'protocol/index.ts',
    'types/index.ts',
    'conninfo/index.ts',
    'auth/index.ts',
    'errors/index.ts',
    'sql/index.ts',
    'connection/connect.ts',
    'connection/connection.ts',
  ])('loads no runtime module or node:stream from %s', (entry) => {
    const reached = [...closure(entry)].filter(
      (m) => RUNTIME_MODULES.includes(m) || m === 'node:stream',
    )
    expect(reached).toEqual([])
  })

  it('keeps the pg mapping (the @tusk/core/pg subpath) out of the main entry', () => {
    expect([...closure('index.ts')].filter((f) => f.startsWith('pg/'))).toEqual([])
  })

  it('builds the pg mapping on the type layer (and errors/ and the UTF-8 decoder under it) only', () => {
    const below = ['pg/', 'types/', 'errors/', 'protocol/utf8.ts']
    const reached = [...closure('pg/index.ts')]
    expect(reached.filter((f) => !below.some((layer) => f.startsWith(layer)))).toEqual([])
  })

  it('binds the Node runtime in the package entries over node: modules only', () => {
    const binders = files.filter((f) => importsOf(f).includes('runtime/node.ts'))
    expect(binders.sort()).toEqual(['bun.ts', 'deno.ts', 'index.ts'])
    const nodeFiles = files.filter((f) => importsOf(f).some((i) => RUNTIME_MODULES.includes(i)))
    expect(nodeFiles.every((f) => f.startsWith('runtime/node'))).toBe(true)
  })
})
