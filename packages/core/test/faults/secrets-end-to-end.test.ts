/**
 * End to end: a sentinel password given in a URL, an options object, a connect option, a
 * password function, PGPASSWORD, a .pgpass file or as a key passphrase never shows up in what a
 * failure exposes (message, stack, `util.inspect`, `JSON.stringify`, the logger, every
 * diagnostics_channel event, the session or pool object) — across wrong passwords, refused
 * connections, cut links and TLS failures. The redaction units are tested in src/.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from 'node:util'
import { freePort, type MessageProxy, startMessageProxy } from '@tusk/testkit'
import { type TestServerInfo, testServers } from '@tusk/testkit/vitest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  CHANNELS,
  connect,
  createPool,
  errors,
  type Logger,
  type Pool,
  type Session,
} from '../../src/index.js'

const SENTINEL = `Sntl${randomBytes(8).toString('hex')}Pw`

const unhandled: unknown[] = []
process.on('unhandledRejection', (e) => unhandled.push(e))

/** Everything the driver published or logged while a case ran, as text. */
const exposed: string[] = []
const listener = (message: unknown, name: string | symbol): void => {
  exposed.push(`${String(name)} ${render(message)}`)
}
const logger: Logger = {
  debug: (m, d) => exposed.push(`debug ${m} ${render(d)}`),
  info: (m, d) => exposed.push(`info ${m} ${render(d)}`),
  warn: (m, d) => exposed.push(`warn ${m} ${render(d)}`),
  error: (m, d) => exposed.push(`error ${m} ${render(d)}`),
}

/** Every way a value can be shown: inspect with hidden fields, JSON (when it has no cycle). */
function render(value: unknown): string {
  let json = ''
  try {
    json = JSON.stringify(value) ?? ''
  } catch {}
  return `${inspect(value, { depth: 20, showHidden: true, getters: true })}\n${json}`
}

/** Every view of an error and its causes. */
function views(err: unknown): string[] {
  const out: string[] = [render(err)]
  for (let e: unknown = err, i = 0; e instanceof Error && i < 10; e = e.cause, i++) {
    out.push(e.message, String(e), e.stack ?? '', JSON.stringify(e) ?? '')
  }
  return out
}

function expectNoSentinel(what: string, texts: readonly string[]): void {
  const leaks = texts.filter((t) => t.includes(SENTINEL)).map((t) => t.slice(0, 300))
  expect(leaks, `${what}: the password shows`).toEqual([])
}

async function failure(p: Promise<unknown>, ms = 8_000): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      p.then(
        () => new Error('resolved: expected a failure'),
        (e: unknown) => e,
      ),
      new Promise((r) => {
        timer = setTimeout(() => r(new Error(`still pending after ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

describe.each(
  testServers()
    .filter((s) => s.roles !== null)
    .map((s) => [s.name, s] as const),
)('no password in any failure on %s', (_n, server: TestServerInfo) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tusk-secrets-'))
  const role = `tusk_sentinel_${process.pid}`
  let admin: Session
  let proxy: MessageProxy
  const pools: Pool[] = []
  const sessions: Session[] = []
  const savedEnv = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE }

  beforeAll(async () => {
    admin = await connect(server.url)
    // Created before anything listens: this statement carries the password on purpose.
    await admin.exec(`create role ${role} login password '${SENTINEL}'`)
    proxy = await startMessageProxy({ host: server.host, port: server.port })
    for (const name of Object.values(CHANNELS)) subscribe(name, listener)
  })
  afterAll(async () => {
    for (const name of Object.values(CHANNELS)) unsubscribe(name, listener)
    await admin.exec(`drop role if exists ${role}`)
    await admin.close()
    await proxy.close()
    rmSync(dir, { recursive: true, force: true })
  })
  afterEach(async () => {
    process.env.PGPASSWORD = savedEnv.PGPASSWORD
    process.env.PGPASSFILE = savedEnv.PGPASSFILE
    if (savedEnv.PGPASSWORD === undefined) delete process.env.PGPASSWORD
    if (savedEnv.PGPASSFILE === undefined) delete process.env.PGPASSFILE
    proxy.reset()
    for (const s of sessions.splice(0)) s.destroy()
    await Promise.all(pools.splice(0).map((p) => p.end({ timeout: 500 }).catch(() => {})))
    expect(unhandled).toEqual([])
    exposed.length = 0
  })

  const host = server.host
  const port = server.port
  const uri = (user: string, password: string, p = port, extra = 'sslmode=disable') =>
    `postgres://${user}:${password}@${host}:${p}/postgres?${extra}`

  /** Runs `attempt`, expects a `cls` failure, and finds the sentinel nowhere. */
  async function leakFree(
    what: string,
    cls: abstract new (...args: never[]) => Error,
    attempt: () => Promise<unknown>,
    also: () => unknown[] = () => [],
  ): Promise<void> {
    exposed.length = 0
    const err = await failure(attempt())
    expect(err, `${what}: ${String(err)}`).toBeInstanceOf(cls)
    expectNoSentinel(what, [...views(err), ...exposed, ...also().map(render)])
  }

  it('a wrong password (SCRAM in a URL, md5 in an options object, cleartext as a connect option, a function)', async () => {
    await leakFree('scram, URL', errors.InvalidPassword, () =>
      connect(uri(server.roles!.scram.user, SENTINEL), { logger }),
    )
    await leakFree('md5, options object', errors.InvalidPassword, () =>
      connect(
        {
          host,
          port,
          user: server.roles!.md5.user,
          password: SENTINEL,
          dbname: 'postgres',
          sslmode: 'disable',
        },
        { logger },
      ),
    )
    await leakFree('cleartext, connect option', errors.InvalidPassword, () =>
      connect(
        `host=${host} port=${port} user=${server.roles!.password.user} dbname=postgres sslmode=disable`,
        {
          password: SENTINEL,
          logger,
        },
      ),
    )
    const pool = createPool(
      `host=${host} port=${port} user=${server.roles!.scram.user} dbname=postgres sslmode=disable`,
      {
        password: async () => SENTINEL,
        logger,
        acquireTimeout: 3_000,
      },
    )
    pools.push(pool)
    await leakFree(
      'scram, pool password function',
      errors.InvalidPassword,
      () => pool.query('select 1'),
      () => [pool],
    )
  }, 30_000)

  it('a wrong password from PGPASSWORD and from a .pgpass file', async () => {
    process.env.PGPASSWORD = SENTINEL
    await leakFree('PGPASSWORD', errors.InvalidPassword, () =>
      connect(
        `host=${host} port=${port} user=${server.roles!.scram.user} dbname=postgres sslmode=disable`,
        { logger },
      ),
    )
    delete process.env.PGPASSWORD
    const passfile = path.join(dir, 'pgpass')
    writeFileSync(passfile, `${host}:${port}:*:${server.roles!.scram.user}:${SENTINEL}\n`)
    chmodSync(passfile, 0o600)
    process.env.PGPASSFILE = passfile
    await leakFree('.pgpass', errors.InvalidPassword, () =>
      connect(
        `host=${host} port=${port} user=${server.roles!.scram.user} dbname=postgres sslmode=disable`,
        { logger },
      ),
    )
  }, 30_000)

  it('a refused connection, from a session and from a pool', async () => {
    const closed = await freePort()
    await leakFree('refused, session', errors.ConnectionError, () =>
      connect(uri(role, SENTINEL, closed), { logger }),
    )
    const pool = createPool(uri(role, SENTINEL, closed), { logger, acquireTimeout: 3_000 })
    pools.push(pool)
    await leakFree(
      'refused, pool',
      errors.ConnectionError,
      () => pool.query('select 1'),
      () => [pool],
    )
  }, 30_000)

  it('a link cut during authentication, during a query and under a pool', async () => {
    const through = uri(role, SENTINEL, proxy.port)
    proxy.cutAfter(1, 'rst')
    await leakFree('cut during SCRAM', errors.ConnectionLost, () => connect(through, { logger }))

    const s = await connect(through, { logger })
    sessions.push(s)
    expect(await s.query('select current_user as u')).toMatchObject({ rows: [{ u: role }] })
    proxy.cutAfter(2, 'fin')
    await leakFree(
      'cut during a query',
      errors.ConnectionLost,
      () => s.query('select 1'),
      () => [s, s.details],
    )

    const pool = createPool(through, { logger, max: 1 })
    pools.push(pool)
    await pool.query('select 1')
    proxy.cutAfter(0, 'rst')
    await leakFree(
      'cut under a pool',
      errors.ConnectionLost,
      () => pool.query('select 1'),
      () => [pool, pool.stats()],
    )
  }, 30_000)

  describe.runIf(server.certs !== null)('TLS failures', () => {
    it('an untrusted server certificate', async () => {
      await leakFree('verify-full against the wrong root', errors.TlsError, () =>
        connect(
          uri(
            role,
            SENTINEL,
            port,
            `sslmode=verify-full&sslrootcert=${encodeURIComponent(server.certs!.clientCertFile)}`,
          ),
          { logger },
        ),
      )
    }, 15_000)

    /** A fresh EC key encrypted with `passphrase` (PKCS#8, AES-256), written to `dir/name`. */
    function encryptedKey(name: string, passphrase: string): string {
      const file = path.join(dir, name)
      execFileSync(
        'openssl',
        [
          'genpkey',
          '-algorithm',
          'EC',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-aes-256-cbc',
          '-pass',
          'stdin',
          '-out',
          file,
        ],
        { input: `${passphrase}\n`, stdio: ['pipe', 'ignore', 'pipe'] },
      )
      chmodSync(file, 0o600)
      return file
    }

    const tlsUri = (key: string, password: string): string =>
      uri(
        role,
        SENTINEL,
        port,
        `sslmode=verify-ca&sslrootcert=${encodeURIComponent(server.certs!.caCertFile)}` +
          `&sslcert=${encodeURIComponent(server.certs!.clientCertFile)}` +
          `&sslkey=${encodeURIComponent(key)}&sslpassword=${encodeURIComponent(password)}`,
      )

    it('a client key whose passphrase is wrong', async () => {
      const key = encryptedKey('wrong-pass.key', `other${SENTINEL.slice(4)}`)
      await leakFree('wrong key passphrase', errors.TlsError, () =>
        connect(tlsUri(key, SENTINEL), { logger }),
      )
    }, 15_000)

    it('a client key that does not belong to its certificate is refused, not left out', async () => {
      const key = encryptedKey('mismatch.key', SENTINEL)
      await leakFree('key does not match the certificate', errors.TlsError, () =>
        connect(tlsUri(key, SENTINEL), { logger }),
      )
    }, 15_000)
  })
})
