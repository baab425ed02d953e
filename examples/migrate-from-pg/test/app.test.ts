/**
 * The ledger app, unchanged, installed twice as its users would install it (variants/pg: the
 * real `pg` and `pg-cursor`; variants/tusk: both aliased to Tusk in package.json), each run as
 * its own process on a database of its own and driven through the same HTTP script: the two
 * transcripts must be identical, and right.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { connect } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, describe, expect, it } from 'vitest'

const server = testServers()[0]!
const root = path.resolve(import.meta.dirname, '..')
const VARIANTS = ['pg', 'tusk'] as const
type Variant = (typeof VARIANTS)[number]

/** The app's entry as the variant installed it, and the `pg` / `pg-cursor` it will load. */
function installed(variant: Variant): { main: string; pg: string; cursor: string } {
  const require = createRequire(path.join(root, 'variants', variant, 'package.json'))
  const main = require.resolve('@tusk/example-migrate-from-pg/src/main.cjs')
  const fromApp = createRequire(main)
  // The directory of the package `name` resolves to (its real path: what is actually loaded).
  const pkgDir = (name: string) => {
    let dir = path.dirname(realpathSync(fromApp.resolve(name)))
    while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir)
    return dir
  }
  return { main, pg: pkgDir('pg'), cursor: pkgDir('pg-cursor') }
}

/** A started app: its base URL, and how to stop it (resolves with its exit code). */
interface Running {
  base: string
  stop(): Promise<number | null>
  output(): string
}

async function start(main: string, databaseUrl: string): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += chunk
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) resolve(match[1] as string)
    })
    void exited.then((code) => reject(new Error(`the app exited (${code}): ${output}`)))
  })
  return {
    base,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

type Step = [method: string, path: string, body?: unknown]

/** The same requests, in order, for both installs. */
const SCRIPT: Step[] = [
  ['POST', '/accounts', { owner: 'alice', balance: '100.00' }],
  ['POST', '/accounts', { owner: 'bob', balance: 50 }],
  ['POST', '/accounts', { owner: 'carol', balance: 0 }],
  ['POST', '/accounts', { owner: 'alice', balance: 1 }],
  ['POST', '/transfers', { from: 1, to: 2, amount: '30.25' }],
  ['POST', '/transfers', { from: 3, to: 1, amount: 10 }],
  ['POST', '/transfers', { from: 1, to: 999, amount: 5 }],
  ...Array.from(
    { length: 7 },
    (_, i): Step => ['POST', '/transfers', { from: 2, to: 3, amount: i + 1 }],
  ),
  ['GET', '/accounts'],
  ['GET', '/accounts/2'],
  ['GET', '/accounts/abc'],
  ['GET', '/transfers.csv?batch=3'],
  ['GET', '/report'],
]

async function transcript(base: string): Promise<string[]> {
  const lines: string[] = []
  for (const [method, url, body] of SCRIPT) {
    const res = await fetch(`${base}${url}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    lines.push(
      `${method} ${url} → ${res.status} ${res.headers.get('content-type')}\n${await res.text()}`,
    )
  }
  return lines
}

describe('the ledger app on pg and on @tusk/pg-compat', () => {
  const databases: string[] = []
  const results = new Map<Variant, string[]>()

  afterAll(async () => {
    const admin = await connect(server.url)
    for (const db of databases) await admin.exec(`drop database if exists ${db} with (force)`)
    await admin.close()
  })

  it('is installed with the real pg in one variant and with the aliases in the other', () => {
    const onPg = installed('pg')
    const onTusk = installed('tusk')
    expect(JSON.parse(readFileSync(path.join(onPg.pg, 'package.json'), 'utf8')).name).toBe('pg')
    expect(JSON.parse(readFileSync(path.join(onTusk.pg, 'package.json'), 'utf8')).name).toBe(
      '@tusk/pg-compat',
    )
    expect(JSON.parse(readFileSync(path.join(onTusk.cursor, 'package.json'), 'utf8')).name).toBe(
      '@tusk/pg-cursor',
    )
    // pnpm copies the app into the tusk variant (to resolve its peers there): the copy must be
    // the source, else `pnpm install` has to run again.
    for (const file of ['src/app.cjs', 'src/main.cjs']) {
      expect(readFileSync(onTusk.main.replace(/src\/main\.cjs$/, file), 'utf8')).toBe(
        readFileSync(path.join(root, file), 'utf8'),
      )
    }
  })

  it.each(VARIANTS)('runs the script on %s', async (variant) => {
    const database = `example_migrate_${variant}_${process.pid}`
    databases.push(database)
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database}`)
    await admin.exec(`create database ${database}`)
    await admin.close()
    const url = new URL(server.url)
    url.pathname = `/${database}`
    const app = await start(installed(variant).main, url.toString())
    try {
      results.set(variant, await transcript(app.base))
    } finally {
      expect(await app.stop()).toBe(0)
    }
  })

  it('answers the same on both, byte for byte, and the answers are right', () => {
    const onPg = results.get('pg')
    const onTusk = results.get('tusk')
    expect(onPg).toBeDefined()
    expect(onTusk).toEqual(onPg)
    const text = (onTusk ?? []).join('\n')
    // The transaction committed once, rolled back on a check violation and on a missing account.
    expect(text).toContain(
      'POST /transfers → 200 application/json\n{"id":1,"from":"69.75","to":"80.25"}',
    )
    expect(text).toMatch(
      /→ 409 application\/json\n\{"error":"new row for relation \\"accounts\\" violates check constraint \\"balance_not_negative\\"","code":"23514","constraint":"balance_not_negative"\}/,
    )
    expect(text).toContain('POST /transfers → 404 application/json\n{"error":"no such account"}')
    expect(text).toContain('"code":"23505","constraint":"accounts_owner_key"')
    expect(text).toContain('GET /accounts/abc → 400')
    // Eight transfers read through the cursor, three rows at a time.
    expect(text).toContain('id,from,to,amount\n1,alice,bob,30.25\n2,bob,carol,1.00\n')
    expect(text).toContain('8,bob,carol,7.00\n')
    expect(text).toContain('"accounts":"3","total":"150.00"')
  })
})
