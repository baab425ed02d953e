/**
 * The catalogue API end to end: Knex's CLI migrates and seeds a database of its own through the
 * knexfile, then the API answers over HTTP (JSON, a 409 from a UniqueViolation, a streamed CSV);
 * and the one-command start (`src/main.ts`) on an embedded PostgreSQL of its own.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { connect } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import knex, { type Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import { knexConfig } from '../src/knexfile.js'

const run = promisify(execFile)
const server = testServers()[0]!
const root = path.resolve(import.meta.dirname, '..')
const knexCli = path.join(
  path.dirname(createRequire(import.meta.url).resolve('knex/package.json')),
  'bin',
  'cli.js',
)

describe('the catalogue API', () => {
  const database = `example_knex_${process.pid}`
  let db: Knex
  let app: ReturnType<ReturnType<typeof createApp>['listen']>
  let base: string

  beforeAll(async () => {
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database}`)
    await admin.exec(`create database ${database}`)
    await admin.close()
    const url = new URL(server.url)
    url.pathname = `/${database}`
    const env = { ...process.env, DATABASE_URL: url.toString(), NODE_NO_WARNINGS: '1' }
    const cli = (...args: string[]) =>
      run(process.execPath, [knexCli, ...args, '--knexfile', 'knexfile.cjs'], { cwd: root, env })
    expect((await cli('migrate:latest')).stdout).toMatch(/Batch 1 run: 1 migrations/)
    expect((await cli('seed:run')).stdout).toMatch(/Ran 1 seed files/)
    db = knex(knexConfig(url.toString()))
    app = createApp(db).listen(0, '127.0.0.1')
    await new Promise((resolve) => app.once('listening', resolve))
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise((resolve) => app?.close(resolve))
    await db?.destroy()
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database} with (force)`)
    await admin.close()
  })

  it('lists, finds and filters the seeded products', async () => {
    const list = (await (await fetch(`${base}/products`)).json()) as Record<string, unknown>[]
    expect(list.map((p) => p.sku)).toEqual(['TSK-001', 'TSK-002', 'TSK-003'])
    // numeric comes back as a string, exactly as Knex on pg returns it.
    expect(list[0]).toMatchObject({ id: 1, name: 'Tusk mug', price: '12.50', stock: 40 })
    expect(await (await fetch(`${base}/products/2`)).json()).toMatchObject({ sku: 'TSK-002' })
    expect((await fetch(`${base}/products/99`)).status).toBe(404)
    const found = await (await fetch(`${base}/products?q=mug`)).json()
    expect(found).toHaveLength(1)
  })

  it('creates, updates and deletes, with a 409 for a taken SKU', async () => {
    const post = (body: unknown) =>
      fetch(`${base}/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const created = await post({ sku: 'TSK-004', name: 'Tote', price: '9.99', stock: 3 })
    expect(created.status).toBe(201)
    const product = (await created.json()) as { id: number }
    expect(product).toMatchObject({ sku: 'TSK-004', price: '9.99', stock: 3 })
    expect((await post({ sku: 'TSK-004', name: 'Again', price: '1.00' })).status).toBe(409)
    const patched = await fetch(`${base}/products/${product.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stock: 7 }),
    })
    expect(await patched.json()).toMatchObject({ stock: 7 })
    expect((await fetch(`${base}/products/${product.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(`${base}/products/${product.id}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('streams the catalogue as CSV', async () => {
    await db('products').insert(
      Array.from({ length: 2000 }, (_, i) => ({
        sku: `BULK-${i}`,
        name: `bulk ${i}`,
        price: '1.00',
      })),
    )
    const res = await fetch(`${base}/products/export.csv`)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    const lines = (await res.text()).trimEnd().split('\r\n')
    expect(lines[0]).toBe('id,sku,name,price,stock,created_at')
    expect(lines).toHaveLength(1 + 3 + 2000)
    expect(lines[3]).toMatch(/^3,TSK-003,"Query builder T-shirt, ""large""",24.90,12,\d{4}-/)
  })
})

describe('the one-command start', () => {
  let child: ChildProcess | undefined
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL')
  })

  it('starts PostgreSQL, migrates, seeds and serves; stops on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NODE_NO_WARNINGS: '1' }
    delete env.DATABASE_URL
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
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
    const deadline = Date.now() + 45_000
    const listening = () => /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1]
    while (listening() === undefined) {
      if (Date.now() > deadline || proc.exitCode !== null) {
        throw new Error(`the service did not start:\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(output).toContain('migrations: batch 1, 1 applied')
    expect(output).toContain('seeds: 1 run')
    const csv = await (await fetch(`http://127.0.0.1:${listening()}/products/export.csv`)).text()
    expect(csv.trimEnd().split('\r\n')).toHaveLength(4)
    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toContain('stopped')
  })
})
