// The example Worker on workerd (Miniflare), bundled as wrangler bundles it (the `workerd`
// export condition), against the testkit's server over TLS (verify-full) on loopback.
import path from 'node:path'
import { connect } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const server = testServers().find((s) => s.certs !== null)
const root = path.join(import.meta.dirname, '..')

/** src/worker.ts and everything it imports as one ES module, resolved for workerd. */
async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(root, 'src/worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'import'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:sockets'],
    write: false,
    logLevel: 'silent',
  })
  return out.outputFiles[0]!.text
}

describe.runIf(server !== undefined)('the Worker on workerd', () => {
  let mf: Miniflare | undefined
  let code = ''
  const schema = `workers_kysely_${process.pid}`

  beforeAll(async () => {
    const setup = await connect(server!.url)
    try {
      await setup.query(`drop schema if exists ${schema} cascade`)
      await setup.query(`create schema ${schema}`)
      await setup.query(
        `create table ${schema}.product (id serial primary key, name text not null, price numeric not null)`,
      )
      await setup.query(
        `insert into ${schema}.product (name, price) values ('pen', 1.50), ('book', 12.00), ('mug', 6.25)`,
      )
    } finally {
      await setup.close()
    }
    code = await bundle()
    const url = new URL(server!.url)
    url.hostname = 'localhost'
    url.search = `?sslmode=verify-full&options=${encodeURIComponent(`-c search_path=${schema}`)}`
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: path.join(root, 'worker.js'), contents: code }],
      modulesRoot: root,
      compatibilityDate: '2025-09-01',
      bindings: { DATABASE_URL: url.toString() },
      outboundService: {
        network: {
          allow: ['local'],
          tlsOptions: { trustBrowserCas: false, trustedCertificates: [server!.certs!.ca] },
        },
      },
    })
  })

  afterAll(async () => {
    await mf?.dispose()
    const cleanup = await connect(server!.url)
    await cleanup.query(`drop schema if exists ${schema} cascade`).finally(() => cleanup.close())
  })

  it('bundles without any node: module', () => {
    expect(code).not.toMatch(/from\s*["']node:/)
    expect(code).toMatch(/from\s*["']cloudflare:sockets["']/)
  })

  it('serves a Kysely query over TLS and SCRAM', async () => {
    const res = await mf!.dispatchFetch('http://worker.test/products?maxPrice=10')
    const body = await res.json()
    expect(body).toEqual([
      { id: 1, name: 'pen', price: '1.50' },
      { id: 3, name: 'mug', price: '6.25' },
    ])
    expect(res.status).toBe(200)
  })

  it('serves request after request, each on its own connection', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const res = await mf!.dispatchFetch('http://worker.test/health')
        return (await res.json()) as { ok: boolean; version: string }
      }),
    )
    for (const r of results) expect(r.version).toMatch(/^PostgreSQL \d+/)
  })

  it('answers a bad parameter with 400 and an unknown path with 404', async () => {
    expect((await mf!.dispatchFetch('http://worker.test/products?maxPrice=x')).status).toBe(400)
    expect((await mf!.dispatchFetch('http://worker.test/nowhere')).status).toBe(404)
  })
})
