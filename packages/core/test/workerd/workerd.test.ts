// The driver on workerd (Cloudflare Workers' runtime, run locally by Miniflare): a Worker loads
// the Workers bundle (dist/workerd.js) and runs checks against the testkit's server on loopback;
// each check is one test here. Needs `pnpm build` first, as the adapters' tests do.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { testServers } from '@tusk/testkit/vitest'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const here = import.meta.dirname
const server = testServers().find((s) => s.roles !== null && s.certs !== null)

/** The names of the checks in checks-worker.js, in its order. */
const CHECKS = [
  'TLS (SSLRequest, startTls) and SCRAM-SHA-256 over WebCrypto',
  'md5 authentication (MD5 computed without node:crypto)',
  'queries, parameters and types',
  'transactions: commit, rollback and a savepoint',
  'a server-side cursor in batches',
  'COPY FROM STDIN from an async iterable',
  'Node streams (copyTo, cursor.stream) refused with a ConfigError naming the runtime',
  'cancel: a timeout sends a CancelRequest on a second socket',
  'server errors arrive as their classes',
  'a pool of one connection per request, ended at the end',
  'plain TCP with sslmode=disable',
  'what a Worker cannot have is a ConfigError naming the runtime',
]

type Outcome = { ok: boolean; detail?: string }

function worker(
  trustedCertificates: string[],
  main = 'checks-worker.js',
  compatibilityFlags: string[] = [],
): Miniflare {
  if (!server?.roles || !server.certs) throw new Error('no local test server')
  const { scram, md5 } = server.roles
  const url = (user: string, password: string | undefined, sslmode: string) =>
    `postgres://${user}:${encodeURIComponent(password ?? '')}@localhost:${server.port}/postgres?sslmode=${sslmode}`
  return new Miniflare({
    modulesRoot: here,
    modules: [
      {
        type: 'ESModule',
        path: path.join(here, main),
        contents: readFileSync(path.join(here, main), 'utf8'),
      },
      {
        type: 'ESModule',
        path: path.join(here, 'tusk.js'),
        contents: readFileSync(path.join(here, '../../dist/workerd.js'), 'utf8'),
      },
    ],
    // No nodejs_compat flag unless asked: the bundle must not need it.
    compatibilityDate: '2025-09-01',
    compatibilityFlags,
    bindings: {
      TLS_URL: url(scram.user, scram.password, 'verify-full'),
      MD5_URL: url(md5.user, md5.password, 'require'),
      PLAIN_URL: url(scram.user, scram.password, 'disable'),
    },
    // Sockets go out to loopback only, trusting the test run's CA as the platform's roots.
    outboundService: {
      network: { allow: ['local'], tlsOptions: { trustBrowserCas: false, trustedCertificates } },
    },
  })
}

describe.runIf(server !== undefined)(`workerd against ${server?.name}`, () => {
  let mf: Miniflare | undefined
  let outcomes: Record<string, Outcome> = {}

  beforeAll(async () => {
    mf = worker([server!.certs!.ca])
    const res = await mf.dispatchFetch('http://checks.test/')
    outcomes = (await res.json()) as Record<string, Outcome>
  }, 120_000)

  afterAll(async () => {
    await mf?.dispose()
  })

  it('ran every check the worker has', () => {
    expect(Object.keys(outcomes)).toEqual(CHECKS)
  })

  it.each(CHECKS)('%s', (name) => {
    const outcome = outcomes[name]
    expect(outcome, `no outcome for ${name}`).toBeDefined()
    expect(outcome!.detail ?? '').toBe('')
    expect(outcome!.ok).toBe(true)
  })

  it('publishes diagnostics_channel events under the nodejs_compat flag', async () => {
    const traced = worker([], 'channels-worker.js', ['nodejs_compat'])
    try {
      const res = await traced.dispatchFetch('http://checks.test/')
      expect(await res.json()).toEqual({ queries: ['select 1 as traced'] })
    } finally {
      await traced.dispose()
    }
  }, 120_000)

  it('refuses a server whose certificate the platform does not trust (TlsError)', async () => {
    const untrusting = worker([])
    try {
      const res = await untrusting.dispatchFetch('http://checks.test/?check=tls-untrusted')
      const outcome = (await res.json()) as Outcome
      expect(outcome.detail).toMatch(/^TlsError: .*TLS handshake failed/)
      expect(outcome.ok).toBe(true)
    } finally {
      await untrusting.dispose()
    }
  }, 120_000)
})
