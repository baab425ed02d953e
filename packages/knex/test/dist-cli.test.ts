/**
 * The built package as an app uses it, in child processes with Node's own resolution (no bundler,
 * no mock): a folder whose `node_modules` holds the published files of @tusk/knex, @tusk/core and
 * one tested Knex release; Knex's own CLI runs `migrate:*` and `seed:*` with a knexfile (CommonJS
 * and ESM) that names the client; then `import` and `require` apps query, stream and catch errors.
 */
import { execFile } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KNEX_RELEASES } from './knex-versions.js'

const run = promisify(execFile)
const packageDir = path.resolve(import.meta.dirname, '..')
const server = testServers()[0]!

/** Newest modification time of the files under `dir`, in ms. */
function newest(dir: string): number {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) t = Math.max(t, statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }
  return t
}

describe('the built package with Knex’s CLI', () => {
  const roots: string[] = []

  beforeAll(() => {
    const built = path.join(packageDir, 'dist', 'index.js')
    expect(
      statSync(built, { throwIfNoEntry: false }),
      'dist/ is missing: build first',
    ).toBeDefined()
    expect(statSync(built).mtimeMs, 'dist/ is older than src/: build first').toBeGreaterThanOrEqual(
      newest(path.join(packageDir, 'src')),
    )
  })
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true })
  })

  /** A folder with the published files of the package, @tusk/core and this Knex release. */
  function appFolder(alias: string): string {
    const root = mkdtempSync(path.join(tmpdir(), 'tusk-knex-dist-'))
    roots.push(root)
    const own = path.join(root, 'node_modules', '@tusk', 'knex')
    mkdirSync(own, { recursive: true })
    cpSync(path.join(packageDir, 'package.json'), path.join(own, 'package.json'))
    cpSync(path.join(packageDir, 'dist'), path.join(own, 'dist'), { recursive: true })
    const modules = path.join(packageDir, 'node_modules')
    symlinkSync(
      realpathSync(path.join(modules, '@tusk', 'core')),
      path.join(root, 'node_modules', '@tusk', 'core'),
      'dir',
    )
    symlinkSync(
      realpathSync(path.join(modules, alias)),
      path.join(root, 'node_modules', 'knex'),
      'dir',
    )
    cpSync(path.join(import.meta.dirname, 'cli-app'), root, { recursive: true })
    return root
  }

  describe.each(KNEX_RELEASES.map((r) => [r.version, r] as const))('Knex %s', (version) => {
    let root: string
    const env = { ...process.env, TUSK_TEST_URL: server.url, NODE_NO_WARNINGS: '1' }

    async function cli(...args: string[]): Promise<string> {
      const { stdout } = await run(process.execPath, ['node_modules/knex/bin/cli.js', ...args], {
        cwd: root,
        env,
        timeout: 30_000,
      })
      return stdout
    }

    beforeAll(() => {
      root = appFolder(`knex-${version}`)
    })

    it('migrates, seeds, lists and rolls back through the CLI, and apps load the package', async () => {
      const cjs = ['--knexfile', 'knexfile.cjs']
      expect(await cli('migrate:latest', ...cjs)).toMatch(/Batch 1 run: 2 migrations/)
      expect(await cli('migrate:list', '--knexfile', 'knexfile.mjs')).toMatch(
        /Found 2 Completed Migration file\/files\.[\s\S]*20240102000000_cli_items_qty\.cjs/,
      )
      expect(await cli('seed:run', ...cjs)).toMatch(/Ran 1 seed files/)
      for (const app of ['app.mjs', 'app.cjs']) {
        const { stdout } = await run(process.execPath, [app], { cwd: root, env, timeout: 20_000 })
        expect(JSON.parse(stdout), app).toEqual({
          rows: [
            { label: 'alpha', qty: 1 },
            { label: 'beta', qty: 2 },
            { label: 'gamma', qty: 3 },
          ],
          streamed: 3,
          unique: true,
          version: 'string',
        })
      }
      expect(await cli('migrate:rollback', '--all', ...cjs)).toMatch(
        /Batch 1 rolled back: 2 migrations/,
      )
      expect(await cli('migrate:status', ...cjs)).toMatch(/No Completed Migration files Found/)
    }, 120_000)
  })
})
