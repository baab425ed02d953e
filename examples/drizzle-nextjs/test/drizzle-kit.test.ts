/**
 * drizzle-kit on Tusk: it loads `pg` by name, and `kit/package.json` installs it as an app does,
 * with `pg` aliased to @tusk/pg-compat, so `drizzle-kit migrate` and `push` talk to PostgreSQL
 * through Tusk. Each command runs as a user runs it (the CLI, a config file with
 * `dbCredentials.url`) on this example's schema and migrations, on a database of its own, and the
 * test checks the database afterwards.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { connect, type Session } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const kitApp = path.join(root, 'kit')
const drizzleKit = path.join(kitApp, 'node_modules', 'drizzle-kit', 'bin.cjs')

/** A drizzle-kit config for `url`, written to a scratch directory; its path. */
async function configFor(dir: string, url: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}.config.cjs`)
  await writeFile(
    file,
    `module.exports = ${JSON.stringify({
      dialect: 'postgresql',
      schema: path.join(root, 'src', 'db', 'schema.ts'),
      out: path.join(root, 'drizzle'),
      dbCredentials: { url },
    })}\n`,
  )
  return file
}

/** Runs drizzle-kit `args` in the example; its output. */
async function kit(args: string[]): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, [drizzleKit, ...args], {
    cwd: kitApp,
    env: { ...process.env, NODE_NO_WARNINGS: '1', FORCE_COLOR: '0' },
    timeout: 60_000,
  })
  return stdout + stderr
}

it('resolves `pg` to @tusk/pg-compat from where drizzle-kit and drizzle-orm are installed', async () => {
  const kitDir = path.dirname(await realpath(drizzleKit))
  const fromKit = createRequire(path.join(kitDir, 'bin.cjs'))
  const pgCompat = path.resolve(root, '..', '..', 'packages', 'pg-compat')
  expect(await realpath(fromKit.resolve('pg'))).toContain(`${pgCompat}${path.sep}`)
  const nodePostgres = await realpath(fromKit.resolve('drizzle-orm/node-postgres'))
  const fromOrm = createRequire(nodePostgres)
  expect(await realpath(fromOrm.resolve('pg'))).toContain(`${pgCompat}${path.sep}`)
})

describe.each(testServers())('drizzle-kit through the pg alias × $label', (server) => {
  const databases = ['migrate', 'push'].map((step) => `example_kit_${step}_${process.pid}`)
  let admin: Session
  let dir: string
  const urlOf = (database: string): string => {
    const u = new URL(server.url)
    u.pathname = `/${database}`
    return u.toString()
  }

  beforeAll(async () => {
    admin = await connect(server.url)
    for (const database of databases) {
      await admin.exec(`drop database if exists ${database}`)
      await admin.exec(`create database ${database}`)
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'tusk-drizzle-kit-'))
  })

  afterAll(async () => {
    for (const database of databases) {
      await admin?.exec(`drop database if exists ${database} with (force)`)
    }
    await admin?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  /** The tables, indexes and recorded migrations of `database`. */
  async function inspect(database: string) {
    const session = await connect(urlOf(database))
    try {
      const tables = await session.query<{ name: string }>(
        `select table_name as name from information_schema.tables
          where table_schema = 'public' order by 1`,
      )
      const indexes = await session.query<{ name: string }>(
        `select indexname as name from pg_indexes where schemaname = 'public' order by 1`,
      )
      const migrations = await session.query<{ n: number }>(
        `select count(*)::int as n from pg_tables
          where schemaname = 'drizzle' and tablename = '__drizzle_migrations'`,
      )
      const applied =
        migrations.rows[0]!.n === 0
          ? 0
          : (
              await session.query<{ n: number }>(
                'select count(*)::int as n from drizzle.__drizzle_migrations',
              )
            ).rows[0]!.n
      return {
        tables: tables.rows.map((r) => r.name),
        indexes: indexes.rows.map((r) => r.name),
        applied,
      }
    } finally {
      await session.close()
    }
  }

  it('applies the migrations folder with `drizzle-kit migrate`, once', async () => {
    const config = await configFor(dir, urlOf(databases[0]!), 'migrate')
    const first = await kit(['migrate', '--config', config])
    expect(first).toContain("Using 'pg' driver")
    expect(first).toMatch(/migrations applied successfully/i)
    const after = await inspect(databases[0]!)
    expect(after.tables).toEqual(expect.arrayContaining(['authors', 'books']))
    expect(after.indexes).toContain('books_author_id_idx')
    expect(after.applied).toBe(2)
    // Nothing new the second time.
    await kit(['migrate', '--config', config])
    expect((await inspect(databases[0]!)).applied).toBe(2)
  })

  it('creates the schema with `drizzle-kit push`, and finds nothing to change the second time', async () => {
    const config = await configFor(dir, urlOf(databases[1]!), 'push')
    const first = await kit(['push', '--force', '--config', config])
    expect(first).toContain("Using 'pg' driver")
    const after = await inspect(databases[1]!)
    expect(after.tables).toEqual(expect.arrayContaining(['authors', 'books']))
    expect(after.indexes).toContain('books_author_id_idx')
    const second = await kit(['push', '--force', '--config', config])
    expect(second).toMatch(/no changes detected/i)
  })
})
