import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from 'node:util'
import { startMessageProxy } from '@tusk/testkit'
import { runningStatement } from '@tusk/testkit/activity'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AdminShutdown,
  AuthenticationError,
  ConfigError,
  ConnectionClosed,
  ConnectionError,
  ConnectionLost,
  ConnectTimeout,
  InvalidCatalogName,
  InvalidPassword,
  OperationalError,
  QueryCanceled,
  TlsError,
} from '../../src/errors/index.js'
import { connect, errors, type Session } from '../../src/index.js'

const servers = testServers()
const ipv6 = Object.values(os.networkInterfaces()).some((l) =>
  (l ?? []).some((i) => i.address === '::1'),
)
const open: Session[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})))
})

async function track(p: Promise<Session>): Promise<Session> {
  const c = await p
  open.push(c)
  return c
}

async function scalar(c: Session, sql: string): Promise<string | null> {
  const [r] = await c.exec(sql)
  return r?.rows[0]?.[0] ?? null
}

describe.each(servers.map((s) => [s.name, s] as const))('connection to %s', (_n, server) => {
  const roles = server.roles!
  const certs = server.certs!
  const base = `host=127.0.0.1 port=${server.port} dbname=postgres`

  it('connects with the URL, negotiates TLS under sslmode=prefer and binds the channel', async () => {
    const c = await track(connect(server.url))
    expect(c.state).toBe('idle')
    expect(await scalar(c, 'select 1')).toBe('1')
    expect(c.details.tls?.protocol).toMatch(/^TLSv1\.[23]$/)
    expect(c.details.authMethod).toBe('scram-sha-256-plus')
    expect(c.serverVersion.split(' ')[0]).toBe(server.version)
    expect(c.parameters.get('client_encoding')).toBe('UTF8')
    expect(c.processId).toBeGreaterThan(0)
    expect(await scalar(c, 'select pg_backend_pid()')).toBe(String(c.processId))
  })

  it('uses SCRAM-SHA-256 without TLS under sslmode=disable', async () => {
    const c = await track(connect(`${server.url}?sslmode=disable`))
    expect(c.details.tls).toBeNull()
    expect(c.details.authMethod).toBe('scram-sha-256')
    expect(await scalar(c, 'select ssl::text from pg_stat_ssl where pid = pg_backend_pid()')).toBe(
      'false',
    )
  })

  for (const [role, method] of [
    ['scram', 'scram-sha-256'],
    ['md5', 'md5'],
    ['password', 'password'],
  ] as const) {
    it(`authenticates the ${role} role with ${method}, and refuses a wrong password without echoing it`, async () => {
      const r = roles[role]
      const c = await track(
        connect(`${base} user=${r.user} password=${r.password} sslmode=disable`),
      )
      expect(c.details.authMethod).toBe(method)
      expect(await scalar(c, 'select current_user')).toBe(r.user)
      const wrong = 'not-the-password-xyz'
      const err = await connect(`${base} user=${r.user} password=${wrong} sslmode=disable`).catch(
        (e) => e,
      )
      expect(err).toBeInstanceOf(InvalidPassword)
      expect(err.code).toBe('28P01')
      expect(err.message).toContain(r.user)
      expect(err.host).toBe(`127.0.0.1:${server.port}`)
      for (const text of [err.message, String(err), err.stack, inspect(err), JSON.stringify(err)]) {
        expect(text).not.toContain(wrong)
      }
    })
  }

  it('reports a .pgpass ignored for its permissions, in the log and in the missing-password error', async () => {
    const r = roles.scram
    const dir = mkdtempSync(path.join(tmpdir(), 'tusk-pgpass-'))
    const passfile = path.join(dir, 'pgpass')
    writeFileSync(passfile, `*:*:*:${r.user}:${r.password}\n`)
    chmodSync(passfile, 0o644)
    const env = process.env.PGPASSWORD
    delete process.env.PGPASSWORD
    try {
      const warnings: string[] = []
      const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} }
      const err = await connect(`${base} user=${r.user} sslmode=disable passfile=${passfile}`, {
        logger,
      }).catch((e) => e)
      expect(err).toBeInstanceOf(errors.AuthenticationError)
      expect(err.message).toMatch(/password file ".*pgpass" has group or world access/)
      expect(err.message).not.toMatch(/a \.pgpass entry/)
      expect(warnings.some((w) => /group or world access/.test(w))).toBe(true)
      chmodSync(passfile, 0o600)
      const c = await track(connect(`${base} user=${r.user} sslmode=disable passfile=${passfile}`))
      expect(await scalar(c, 'select current_user')).toBe(r.user)
    } finally {
      if (env !== undefined) process.env.PGPASSWORD = env
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('authenticates the cert role with a client certificate under verify-full', async () => {
    const c = await track(
      connect({
        host: 'localhost',
        port: server.port,
        dbname: 'postgres',
        user: 'tusk_cert',
        sslmode: 'verify-full',
        sslrootcert: certs.caCertFile,
        sslcert: certs.clientCertFile,
        sslkey: certs.clientKeyFile,
      }),
    )
    expect(c.details.authMethod).toBe('cert')
    expect(c.details.tls?.verified).toBe(true)
    expect(await scalar(c, 'select current_user')).toBe('tusk_cert')
  })

  it('verifies the chain under verify-ca and the name under verify-full', async () => {
    const su = roles.superuser
    const common = `port=${server.port} dbname=postgres user=${su.user} password=${su.password} sslrootcert=${certs.caCertFile}`
    const ca = await track(connect(`host=127.0.0.1 ${common} sslmode=verify-ca`))
    expect(ca.details.tls?.verified).toBe(true)
    const full = await track(connect(`host=localhost ${common} sslmode=verify-full`))
    expect(full.details.tls?.verified).toBe(true)
    const err = await connect(
      `host=evil.test hostaddr=127.0.0.1 ${common} sslmode=verify-full`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(TlsError)
    expect(err.message).toContain('"evil.test"')
    expect(err.message).toContain('DNS:localhost')
  })

  it('refuses verify-full without a root certificate, naming the missing file', async () => {
    const err = await connect(
      `${base} user=postgres sslmode=verify-full sslrootcert=/nonexistent/root.crt`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(TlsError)
    expect(err.message).toContain('/nonexistent/root.crt')
  })

  it('falls back from plain to TLS under sslmode=allow when the server refuses plain', async () => {
    const plain = await track(connect(`${server.url}?sslmode=allow`))
    expect(plain.details.tls).toBeNull()
    const c = await track(
      connect({
        host: 'localhost',
        port: server.port,
        dbname: 'postgres',
        user: 'tusk_cert',
        sslmode: 'allow',
        sslcert: certs.clientCertFile,
        sslkey: certs.clientKeyFile,
      }),
    )
    expect(c.details.tls).not.toBeNull()
    expect(c.details.authMethod).toBe('cert')
  })

  it.runIf(ipv6)('connects to an IPv6 literal', async () => {
    const su = roles.superuser
    const c = await track(
      connect(`postgres://${su.user}:${su.password}@[::1]:${server.port}/postgres`),
    )
    expect(c.host).toBe(`[::1]:${server.port}`)
    expect(await scalar(c, 'select inet_server_addr()::text')).toBe('::1/128')
  })

  it('refuses a client_encoding other than UTF8 in the config', async () => {
    const err = await connect(`${server.url}?client_encoding=LATIN1`).catch((e) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.message).toContain('LATIN1')
  })

  it('destroys at once, failing pending work with ConnectionClosed', async () => {
    const c = await connect(server.url)
    const pending = c.exec('select pg_sleep(5)')
    c.destroy()
    const err = await pending.catch((e) => e)
    expect(err).toBeInstanceOf(ConnectionClosed)
    expect(c.state).toBe('closed')
  })

  it('shows the caller frame in the stack of a query error and the caret under the position', async () => {
    const c = await track(connect(server.url))
    async function queryFromHere() {
      return await c.exec('select 1,\n  nosuchcolumn')
    }
    async function extendedFromHere() {
      return await c.query('select $1::int, nosuchcolumn', [1])
    }
    const extended = await extendedFromHere().catch((e) => e)
    expect(extended).toBeInstanceOf(errors.UndefinedColumn)
    expect(extended.stack).toContain('extendedFromHere')
    // Captured at call time with eagerStacks: a caller that returns the promise unawaited shows.
    const eager = await track(connect(server.url, { eagerStacks: true }))
    function notAwaiting() {
      return eager.query('select nosuchcolumn')
    }
    expect((await notAwaiting().catch((e) => e)).stack).toContain('notAwaiting')
    const err = await queryFromHere().catch((e) => e)
    expect(err).toBeInstanceOf(errors.UndefinedColumn)
    expect(err.stack).toContain('queryFromHere')
    expect(err.message).toContain('LINE 2:   nosuchcolumn')
    expect(err.message).toMatch(/\n\s+\^/)
    expect(err.query).toBe('select 1,\n  nosuchcolumn')
    expect(err.position).toBe('13')
  })

  it('fails an unknown database with InvalidCatalogName', async () => {
    const su = roles.superuser
    const err = await connect(
      `${base} user=${su.user} password=${su.password} dbname=no_such_db`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidCatalogName)
    expect(err.code).toBe('3D000')
    expect(err.phase).toBe('startup')
  })

  it('connects over the Unix socket without TLS', async () => {
    const c = await track(
      connect({ host: server.socketDir!, port: server.port, user: 'postgres', dbname: 'postgres' }),
    )
    expect(c.details.tls).toBeNull()
    expect(c.details.authMethod).toBe('none')
    expect(await scalar(c, 'select inet_server_port()')).toBeNull()
  })

  it('honours channel_binding and require_auth', async () => {
    const su = roles.superuser
    const auth = `${base} user=${su.user} password=${su.password}`
    const bound = await track(connect(`${auth} sslmode=require channel_binding=require`))
    expect(bound.details.authMethod).toBe('scram-sha-256-plus')
    await expect(connect(`${auth} sslmode=disable channel_binding=require`)).rejects.toBeInstanceOf(
      AuthenticationError,
    )
    const md5 = roles.md5
    const err = await connect(
      `${base} user=${md5.user} password=${md5.password} sslmode=disable require_auth=scram-sha-256`,
    ).catch((e) => e)
    expect(err).toBeInstanceOf(AuthenticationError)
    expect(err.message).toContain('require_auth=scram-sha-256')
  })

  it('negotiates protocol 3.2 where the server has it and falls back to 3.0 where not', async () => {
    const c = await track(connect(`${server.url}?max_protocol_version=3.2`))
    expect(c.details.protocolVersion).toBe(server.major >= 18 ? '3.2' : '3.0')
    expect(await scalar(c, 'select 1')).toBe('1')
  })

  it('tracks ParameterStatus and delivers notices', async () => {
    const notices: string[] = []
    const c = await track(connect(server.url, { onNotice: (n) => notices.push(n.message) }))
    await c.exec("set application_name = 'tusk-test'")
    expect(c.parameters.get('application_name')).toBe('tusk-test')
    await c.exec("do $$ begin raise notice 'hello from plpgsql'; end $$")
    expect(notices).toEqual(['hello from plpgsql'])
  })

  it('returns one result per statement of a simple query, and reports the transaction state', async () => {
    const c = await track(connect(server.url))
    const results = await c.exec(
      'create temp table t (x int); insert into t values (1), (2); select x from t order by x; begin',
    )
    expect(results.map((r) => [r.command, r.rowCount])).toEqual([
      ['CREATE TABLE', null],
      ['INSERT', 2],
      ['SELECT', 2],
      ['BEGIN', null],
    ])
    expect(results[2]!.rows).toEqual([['1'], ['2']])
    expect(results[2]!.fields[0]).toMatchObject({ name: 'x', dataTypeOid: 23 })
    expect(c.state).toBe('in-transaction')
    await c.exec('select 1/0').catch(() => {})
    expect(c.state).toBe('in-failed-transaction')
    await c.exec('rollback')
    expect(c.state).toBe('idle')
  })

  it('pipelines concurrent simple queries and answers each in order', async () => {
    const c = await track(connect(server.url))
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => scalar(c, `select ${i}`)),
    )
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => String(i)))
  })

  it('cancels a running statement with CancelRequest', async () => {
    const c = await track(connect(server.url))
    const admin = await track(connect(server.url))
    const slow = c.exec('select pg_sleep(30)').catch((e) => e)
    await until(() => runningStatement(admin, c.processId, 'select pg_sleep(30)'), {
      what: 'the statement running on the server',
    })
    await c.cancel()
    const err = await slow
    expect(err).toBeInstanceOf(QueryCanceled)
    expect(await scalar(c, 'select 2')).toBe('2')
  })

  it('rejects pending work with ConnectionLost when the backend is terminated, then refuses new work', async () => {
    const victim = await track(connect(server.url))
    const admin = await track(connect(server.url))
    const pending = victim.exec('select pg_sleep(30)').catch((e) => e)
    await until(() => runningStatement(admin, victim.processId, 'select pg_sleep(30)'), {
      what: 'the statement running on the server',
    })
    await admin.exec(`select pg_terminate_backend(${victim.processId})`)
    const err = await pending
    expect(err).toBeInstanceOf(ConnectionLost)
    expect(err).toBeInstanceOf(OperationalError)
    expect(err.phase).toBe('query')
    expect(err.host).toBe(`127.0.0.1:${server.port}`)
    expect(err.message).toContain('terminating connection due to administrator command')
    expect(err.cause).toBeInstanceOf(AdminShutdown)
    expect(err.inDoubt).toBe(true)
    expect(victim.closed).toBe(true)
    expect(victim.state).toBe('closed')
    const next = await victim.exec('select 1').catch((e) => e)
    expect(next).toBeInstanceOf(ConnectionClosed)
    expect(next.message).toContain('closed')
  })

  it('notices an idle connection killed by idle_session_timeout, without unhandled errors', async () => {
    const reasons: unknown[] = []
    const c = await connect(`${server.url}?options=-c%20idle_session_timeout%3D300`, {
      onClose: (e) => reasons.push(e),
    })
    await until(() => c.closed, { what: 'the server to end the idle session' })
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toBeInstanceOf(ConnectionLost)
    expect((reasons[0] as ConnectionLost).phase).toBe('idle')
  })

  it('sends Terminate on close so the backend goes away', async () => {
    const proxy = await startMessageProxy({ host: server.host, port: server.port })
    try {
      const url = server.url.replace(`:${server.port}/`, `:${proxy.port}/`)
      const c = await connect(`${url}${url.includes('?') ? '&' : '?'}sslmode=disable`)
      const pid = c.processId
      await c.close()
      expect(c.state).toBe('closed')
      // The proxy sees the client's bytes: Terminate is the last message of the only link.
      await until(() => proxy.clientMessages[0]?.at(-1) === 'X', {
        what: 'a Terminate message from the client',
      })
      expect(proxy.clientMessages).toHaveLength(1)
      expect(proxy.clientMessages[0]![0]).toBe('startup')
      expect(proxy.clientMessages[0]!.filter((m) => m === 'X')).toHaveLength(1)
      const admin = await track(connect(server.url))
      await until(
        async () =>
          (await scalar(admin, `select count(*) from pg_stat_activity where pid = ${pid}`)) === '0',
        { what: `backend ${pid} to exit` },
      )
    } finally {
      await proxy.close()
    }
  })

  it('tries the next host when the first refuses, and honours target_session_attrs', async () => {
    const su = roles.superuser
    const dead = await import('@tusk/testkit').then((m) => m.freePort())
    const c = await track(
      connect(
        `host=127.0.0.1,127.0.0.1 port=${dead},${server.port} dbname=postgres user=${su.user} password=${su.password}`,
      ),
    )
    expect(c.host).toBe(`127.0.0.1:${server.port}`)
    const rw = await track(connect(`${server.url}?target_session_attrs=read-write`))
    expect(await scalar(rw, 'select 1')).toBe('1')
    const err = await connect(`${server.url}?target_session_attrs=standby`).catch((e) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.message).toContain('target_session_attrs=standby')
  })

  it('shows the caller frame in the stack of a connect error', async () => {
    async function connectFromHere() {
      return connect(`${base} user=nobody_here password=x sslmode=disable`)
    }
    const err = await connectFromHere().catch((e) => e)
    expect(err.stack).toContain('connectFromHere')
  })

  it.runIf(existsSync('/usr/bin/psql'))(
    'agrees with libpq (psql) on what a connection string means',
    async () => {
      const su = roles.superuser
      const conninfo = `host=localhost port=${server.port} dbname=postgres user=${su.user} application_name='tusk app' sslmode=verify-full sslrootcert=${certs.caCertFile}`
      const sql =
        "select current_user || '|' || current_database() || '|' || inet_server_port() || '|' || current_setting('application_name')"
      const viaPsql = execFileSync('psql', [conninfo, '-Atc', sql], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: su.password },
      }).trim()
      const c = await track(
        connect(conninfo, { runtime: { context: { env: { PGPASSWORD: su.password } } } }),
      )
      expect(await scalar(c, sql)).toBe(viaPsql)
    },
  )
})

describe('connection failures without a server', () => {
  it('names host:port and ECONNREFUSED in well under a second', async () => {
    const port = await import('@tusk/testkit').then((m) => m.freePort())
    const t0 = Date.now()
    const err = await connect(`host=127.0.0.1 port=${port} user=x dbname=x`).catch((e) => e)
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.message).toContain(`127.0.0.1:${port}`)
    expect(err.message).toContain('ECONNREFUSED')
    expect(err.errno).toBe('ECONNREFUSED')
    expect(err.safeToRetry).toBe(true)
  })

  it('times out at connect_timeout against a server that accepts and never answers', async () => {
    const net = await import('node:net')
    const sockets: import('node:net').Socket[] = []
    const silent = net.createServer((s) => sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as import('node:net').AddressInfo).port
    try {
      const t0 = Date.now()
      const err = await connect(
        `host=127.0.0.1 port=${port} user=x dbname=x connect_timeout=2`,
      ).catch((e) => e)
      const took = Date.now() - t0
      expect(err).toBeInstanceOf(ConnectTimeout)
      expect(err.message).toContain('connect_timeout')
      expect(took).toBeGreaterThanOrEqual(1900)
      expect(took).toBeLessThan(6000)
    } finally {
      for (const s of sockets) s.destroy()
      silent.close()
    }
  })
})
