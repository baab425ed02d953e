// The driver on workerd (Cloudflare Workers' runtime, run locally by Miniflare): a Worker loads
// the Workers bundle (dist/workerd.js) and runs checks against the testkit's server on loopback;
// each check is one test here. Needs `pnpm build` first, as the adapters' tests do.
import { readFileSync } from 'node:fs'
import net from 'node:net'
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
  'COPY TO STDOUT as an async iterable: backpressure, early break, server error',
  'Node streams (copyTo, cursor.stream) refused with a ConfigError naming the runtime',
  'cancel: a timeout sends a CancelRequest on a second socket',
  'server errors arrive as their classes',
  'a pool of one connection per request, ended at the end',
  'pipelining: queries sent together, answered in order, an error failing only its own',
  'LISTEN reconnects after pg_terminate_backend and receives again',
  'plain TCP with sslmode=disable',
  'what a Worker cannot have is a ConfigError naming the runtime',
]

type Outcome = { ok: boolean; detail?: string; ms?: number }

/** The client message that starts the pipelining check (in its first query's text). */
const MARKER = Buffer.from('tusk-pipeline-check')
/** Queries, each with its own Sync, that the pipelining check sends without awaiting. */
const PIPELINED = 5

/**
 * A TCP proxy (plain TCP, so the framing is visible) in front of the test server. Once a client
 * message carries MARKER, it holds back every byte of the server's answers until PIPELINED Syncs
 * have come from the client: a driver that waited for an answer before sending the next query
 * would never get one. Everything else flows through untouched.
 */
async function startPipelineProxy(host: string, port: number): Promise<net.Server> {
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, host)
    let pending = Buffer.alloc(0)
    let startup = true
    let armed = false
    let syncs = 0
    const held: Buffer[] = []
    const release = (): void => {
      armed = false
      for (const chunk of held.splice(0)) client.write(chunk)
    }
    client.on('data', (chunk) => {
      upstream.write(chunk)
      pending = Buffer.concat([pending, chunk])
      for (;;) {
        if (startup) {
          // The untyped opening packet: int32 length, int32 code (no SSLRequest: sslmode=disable).
          if (pending.length < 4 || pending.length < pending.readInt32BE(0)) break
          pending = pending.subarray(pending.readInt32BE(0))
          startup = false
          continue
        }
        if (pending.length < 5 || pending.length < 1 + pending.readInt32BE(1)) break
        const message = pending.subarray(0, 1 + pending.readInt32BE(1))
        pending = pending.subarray(message.length)
        if (!armed && syncs === 0 && message.includes(MARKER)) armed = true
        if (armed && message[0] === 0x53 /* 'S' */ && ++syncs === PIPELINED) release()
      }
    })
    upstream.on('data', (chunk: Buffer) => {
      if (armed) held.push(chunk)
      else client.write(chunk)
    })
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return proxy
}

function worker(
  trustedCertificates: string[],
  main = 'checks-worker.js',
  compatibilityFlags: string[] = [],
  pipePort = 0,
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
      PIPE_URL: `postgres://${scram.user}:${encodeURIComponent(scram.password ?? '')}@127.0.0.1:${pipePort}/postgres?sslmode=disable`,
    },
    // Sockets go out to loopback only, trusting the test run's CA as the platform's roots.
    outboundService: {
      network: { allow: ['local'], tlsOptions: { trustBrowserCas: false, trustedCertificates } },
    },
  })
}

describe.runIf(server !== undefined)(`workerd against ${server?.name}`, () => {
  let mf: Miniflare | undefined
  let pipeProxy: net.Server | undefined
  let outcomes: Record<string, Outcome> = {}

  beforeAll(async () => {
    pipeProxy = await startPipelineProxy(server!.host, server!.port)
    const pipePort = (pipeProxy.address() as net.AddressInfo).port
    mf = worker([server!.certs!.ca], 'checks-worker.js', [], pipePort)
    const res = await mf.dispatchFetch('http://checks.test/')
    outcomes = (await res.json()) as Record<string, Outcome>
  }, 120_000)

  afterAll(async () => {
    await mf?.dispose()
    await new Promise((resolve) => (pipeProxy ? pipeProxy.close(resolve) : resolve(undefined)))
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
