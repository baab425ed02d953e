// The five entries of the exports map ('.'): which file each condition resolves to, in which
// order, and that the `default` bundle loads anywhere. Which entry each runtime really resolves
// (Node, Bun, Deno) and the default entry's refusal on each are checked by packages/runtimes.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { exportNames, specifiers } from './bundle-scan.js'

const core = path.join(import.meta.dirname, '../..')
const dist = path.join(core, 'dist')
const pkg = JSON.parse(readFileSync(path.join(core, 'package.json'), 'utf8'))
const dot = pkg.exports['.']

/** The `types` first, then the other keys, at every level of a conditions object. */
function typesFirst(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null) return true
  const keys = Object.keys(entry)
  if (keys.includes('types') && keys[0] !== 'types') return false
  return Object.values(entry).every(typesFirst)
}

describe('the exports map of @tusk/core', () => {
  it('lists workerd, bun, deno, node, then default (conditions match in object order)', () => {
    expect(Object.keys(dot)).toEqual(['workerd', 'bun', 'deno', 'node', 'default'])
    expect(typesFirst(pkg.exports)).toBe(true)
  })

  it('keeps Node on dist/index.js and dist/index.cjs, under the node condition', () => {
    expect(dot.node).toEqual({
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    })
  })

  it('gives Bun and Deno their own files with the Node declarations', () => {
    for (const runtime of ['bun', 'deno']) {
      expect(dot[runtime]).toEqual({
        import: { types: './dist/index.d.ts', default: `./dist/${runtime}.js` },
        require: { types: './dist/index.d.cts', default: `./dist/${runtime}.cjs` },
      })
    }
  })

  it('gives workerd the declarations without node: types, default the Node ones (bundler resolution)', () => {
    expect(dot.workerd).toEqual({ types: './dist/neutral.d.ts', default: './dist/workerd.js' })
    expect(dot.default).toEqual({ types: './dist/index.d.ts', default: './dist/default.js' })
  })
})

describe('the default bundle', () => {
  const bundle = readFileSync(path.join(dist, 'default.js'), 'utf8')

  it('imports nothing (no node: module, no other file)', () => {
    expect(specifiers(bundle)).toEqual([])
    expect(bundle).not.toMatch(/["']node:(?!diagnostics_channel["'])/)
  })

  it('exports the same names as the Node entry', () => {
    const node = readFileSync(path.join(dist, 'index.js'), 'utf8')
    expect(exportNames(bundle)).toEqual(exportNames(node))
  })

  it('refuses to connect with a ConfigError naming the runtime and the entries that connect', async () => {
    const fallback = (await import(
      pathToFileURL(path.join(dist, 'default.js')).href
    )) as typeof import('../../src/index.js')
    expect(fallback.runtimeEntry).toBe('default')
    // A listening server is not needed: the entry opens no socket at all.
    const err = await fallback.connect('host=127.0.0.1 port=1 user=u').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(fallback.ConfigError)
    expect((err as Error).message).toMatch(
      /default entry on node, which opens no sockets: entries that connect exist for node, bun, deno and workerd/,
    )
    // A multi-host cluster too: every host refused by the runtime is a ConfigError, not a retry.
    const cluster = fallback.createCluster('host=127.0.0.1,127.0.0.2 port=1 user=u')
    expect(await cluster.query('select 1').catch((e: unknown) => e)).toBeInstanceOf(
      fallback.ConfigError,
    )
    await cluster.end()
    const file = await fallback
      .connect('host=127.0.0.1 user=u passfile=/nonexistent/pgpass')
      .catch((e: unknown) => e)
    expect(file).toBeInstanceOf(fallback.ConfigError)
    expect((file as Error).message).toMatch(
      /on node\) reads no files: cannot read "\/nonexistent\/pgpass"/,
    )
  })
})
