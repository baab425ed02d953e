/**
 * The built package as an app loads it: `import` and `require` of `dist/` from a folder of its
 * own whose `node_modules/kysely` is one tested release, in a child process with Node's own
 * resolution (no bundler, no mock). A named import of a binding that an older Kysely lacks only
 * fails there, as a SyntaxError at load. Each app then commits a failed transaction.
 */
import { execFile } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
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
import { KYSELY_RELEASES } from './kysely-versions.js'

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

describe('the built package', () => {
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

  /** A folder with the published files of the package, @tusk/core and this Kysely release. */
  function appFolder(alias: string): string {
    const root = mkdtempSync(path.join(tmpdir(), 'tusk-kysely-dist-'))
    roots.push(root)
    const own = path.join(root, 'node_modules', '@tusk', 'kysely-dialect')
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
      path.join(root, 'node_modules', 'kysely'),
      'dir',
    )
    cpSync(path.join(import.meta.dirname, 'dist-load'), root, { recursive: true })
    return root
  }

  describe.each(KYSELY_RELEASES.map((r) => [r.version, r] as const))(
    'with Kysely %s',
    (version, release) => {
      let root: string
      let kyselyHasClass: boolean

      beforeAll(async () => {
        kyselyHasClass = 'AbortedTransactionError' in (await release.load())
        root = appFolder(release.alias)
        const installed = JSON.parse(
          readFileSync(path.join(root, 'node_modules', 'kysely', 'package.json'), 'utf8'),
        ) as { version: string }
        expect(installed.version).toBe(version)
      })

      it.each(['app.mjs', 'app.cjs'])(
        '%s loads and reports a COMMIT that rolled back as an error',
        async (app) => {
          const { stdout } = await run(process.execPath, [app], {
            cwd: root,
            env: { ...process.env, TUSK_TEST_URL: server.url, NODE_NO_WARNINGS: '1' },
            timeout: 20_000,
          })
          const out = JSON.parse(stdout) as {
            first: string
            commit: Record<string, unknown>
            abortedByKysely: boolean
            after: unknown
          }
          expect(out.first).toBe('DivisionByZero')
          expect(out.commit).toEqual({
            name: 'AbortedTransactionError',
            // Kysely's own class where it has one (its cause the @tusk/core error), else ours,
            // which is the @tusk/core error.
            inFailedSqlTransaction: !kyselyHasClass,
            causeInFailedSqlTransaction: kyselyHasClass,
          })
          expect(out.abortedByKysely).toBe(kyselyHasClass)
          expect(out.after).toEqual([{ one: 1 }])
        },
      )
    },
  )
})
