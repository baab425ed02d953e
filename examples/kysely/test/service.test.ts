/**
 * The to-do service end to end: over HTTP, on a database of its own, migrated with Kysely's
 * Migrator; and the one-command start (`src/main.ts`) on an embedded PostgreSQL of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { connect } from '@tusk/core'
import { TuskDialect } from '@tusk/kysely-dialect'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import { migrateToLatest, migrator } from '../src/migrate.js'
import type { Database } from '../src/schema.js'

const server = testServers()[0]!

describe('the to-do service', () => {
  const database = `example_kysely_${process.pid}`
  let db: Kysely<Database>
  let app: ReturnType<typeof createApp>
  let base: string

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${base}${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    const json = res.headers.get('content-type') === 'application/json'
    return { status: res.status, body: json ? JSON.parse(text) : undefined, text }
  }

  beforeAll(async () => {
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database}`)
    await admin.exec(`create database ${database}`)
    await admin.close()
    const url = new URL(server.url)
    url.pathname = `/${database}`
    db = new Kysely<Database>({ dialect: new TuskDialect({ conninfo: url.toString() }) })
    const { results } = await migrateToLatest(db)
    expect(results?.map((r) => [r.migrationName, r.status])).toEqual([
      ['0001-create-todo', 'Success'],
    ])
    app = createApp(db)
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise((resolve) => app?.close(resolve))
    await db?.destroy()
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database}`)
    await admin.close()
  })

  it('answers the health check', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { ok: true } })
  })

  it('creates, lists, updates and deletes todos', async () => {
    const created = await call('POST', '/todos', { title: 'write the example' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ title: 'write the example', done: false })
    expect(new Date(created.body.created_at).getTime()).toBeGreaterThan(Date.now() - 60_000)
    const id = created.body.id as number

    await call('POST', '/todos', { title: 'test it' })
    const listed = await call('GET', '/todos')
    expect(listed.body.map((t: { title: string }) => t.title)).toEqual([
      'write the example',
      'test it',
    ])

    const patched = await call('PATCH', `/todos/${id}`, { done: true })
    expect(patched).toMatchObject({ status: 200, body: { id, done: true } })

    expect((await call('DELETE', `/todos/${id}`)).status).toBe(204)
    expect((await call('DELETE', `/todos/${id}`)).status).toBe(404)
    expect((await call('PATCH', '/todos/999999', { done: true })).status).toBe(404)
  })

  it('answers 409 for a duplicate title (a UniqueViolation from the database)', async () => {
    await call('POST', '/todos', { title: 'only once' })
    expect(await call('POST', '/todos', { title: 'only once' })).toMatchObject({
      status: 409,
      body: { error: 'a todo titled "only once" exists' },
    })
  })

  it('answers 400 for a bad body', async () => {
    expect((await call('POST', '/todos', { title: 42 })).status).toBe(400)
    expect((await call('PATCH', '/todos/1', { done: 'yes' })).status).toBe(400)
  })

  it('exports every todo as NDJSON through a stream', async () => {
    await db
      .insertInto('todo')
      .values(Array.from({ length: 1200 }, (_, i) => ({ title: `bulk ${i}` })))
      .execute()
    const { status, text } = await call('GET', '/todos/export')
    expect(status).toBe(200)
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const count = await db
      .selectFrom('todo')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirst()
    expect(lines).toHaveLength(Number(count?.n))
    expect(lines.at(-1).title).toBe('bulk 1199')
  })

  it('reverts the migration with the Migrator', async () => {
    const down = await migrator(db).migrateDown()
    expect(down.error).toBeUndefined()
    expect((await db.introspection.getTables()).map((t) => t.name)).not.toContain('todo')
    await migrateToLatest(db)
    expect((await db.introspection.getTables()).map((t) => t.name)).toContain('todo')
  })
})

describe('pnpm start', () => {
  let child: ChildProcess | undefined
  afterAll(() => {
    child?.kill('SIGKILL')
  })

  it('starts an embedded PostgreSQL, migrates, serves, and stops cleanly', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' }
    delete env.DATABASE_URL
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    let output = ''
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    proc.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve))
    const listening = () => /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1]
    await until(
      () => {
        if (proc.exitCode !== null) throw new Error('the service exited')
        return listening() !== undefined
      },
      { timeout: 45_000, interval: 50, what: 'the service listening' },
    ).catch((e: unknown) => {
      throw new Error(`the service did not start (${(e as Error).message}):\n${output}`)
    })
    const port = listening()
    expect(output).toContain('migration 0001-create-todo: Success')
    const health = await fetch(`http://127.0.0.1:${port}/health`)
    expect(await health.json()).toEqual({ ok: true })
    const created = await fetch(`http://127.0.0.1:${port}/todos`, {
      method: 'POST',
      body: JSON.stringify({ title: 'from the one-command start' }),
    })
    expect(created.status).toBe(201)
    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toContain('stopped')
  })
})
