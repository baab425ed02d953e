import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import {
  availableBinaries,
  type LocalServer,
  startLocalServer,
  startMessageProxy,
  sweepStale,
} from '../src/index.js'
import { until } from '../src/until.js'
import { testServers } from '../src/vitest.js'

const servers = testServers()

function pgrep(): string {
  try {
    return execFileSync('pgrep', ['-a', 'postgres'], { encoding: 'utf8' })
  } catch {
    return ''
  }
}

async function query<T>(config: pg.ClientConfig, sql: string): Promise<T> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 })
  await client.connect()
  try {
    const res = await client.query(sql)
    return res.rows[0] as T
  } finally {
    await client.end()
  }
}

describe.each(servers.map((s) => [s.name, s] as const))('server %s', (_name, server) => {
  it('answers as the superuser with the version it reports', async () => {
    const row = await query<{ v: string }>(
      { connectionString: server.url },
      "select current_setting('server_version') as v",
    )
    expect(row.v.split(' ')[0]).toBe(server.version)
  })

  it('logs the client messages that the message proxy forwards, link by link', async () => {
    const proxy = await startMessageProxy({ host: server.host, port: server.port })
    try {
      const url = server.url.replace(`:${server.port}/`, `:${proxy.port}/`)
      // pg sends a simple query as one Query message ('Q') and ends with Terminate ('X').
      await query({ connectionString: url, ssl: false }, 'select 1 as one')
      await query({ connectionString: url, ssl: false }, 'select 2 as two')
      await until(() => proxy.clientMessages.every((link) => link.at(-1) === 'X'), {
        what: 'both links to end with Terminate',
      })
      expect(proxy.clientMessages).toHaveLength(2)
      for (const link of proxy.clientMessages) {
        expect(link[0]).toBe('startup')
        expect(link.filter((m) => m === 'Q')).toHaveLength(1)
        expect(link.filter((m) => m === 'startup' || m === 'X')).toEqual(['startup', 'X'])
      }
    } finally {
      await proxy.close()
    }
  })

  it.runIf(server.certs)('serves TLS that verifies as verify-full for localhost', async () => {
    const row = await query<{ ssl: boolean; version: string }>(
      {
        connectionString: server.url.replace('127.0.0.1', 'localhost'),
        ssl: { ca: server.certs!.ca, servername: 'localhost', rejectUnauthorized: true },
      },
      'select ssl, version from pg_stat_ssl where pid = pg_backend_pid()',
    )
    expect(row.ssl).toBe(true)
    expect(row.version).toMatch(/^TLSv1\.[23]$/)
  })

  it.runIf(server.certs && existsSync('/usr/bin/psql'))('passes psql sslmode=verify-full', () => {
    const su = server.roles!.superuser
    const out = execFileSync(
      'psql',
      [
        `host=localhost port=${server.port} dbname=postgres user=${su.user} sslmode=verify-full sslrootcert=${server.certs!.caCertFile}`,
        '-Atc',
        'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      ],
      { encoding: 'utf8', env: { ...process.env, PGPASSWORD: su.password } },
    )
    expect(out.trim()).toBe('t')
  })

  for (const method of ['scram', 'md5', 'password'] as const) {
    it.runIf(server.roles)(
      `accepts the right ${method} password and refuses a wrong one`,
      async () => {
        const role = server.roles![method]
        const base = { host: server.host, port: server.port, database: 'postgres', user: role.user }
        const row = await query<{ u: string }>(
          { ...base, password: role.password },
          'select current_user as u',
        )
        expect(row.u).toBe(role.user)
        await expect(query({ ...base, password: 'wrong' }, 'select 1')).rejects.toMatchObject({
          code: '28P01',
        })
      },
    )
  }

  it.runIf(server.roles)(
    'stores the md5 role with an md5 verifier and the scram role with SCRAM',
    async () => {
      const row = await query<{ md5: string; scram: string }>(
        { connectionString: server.url },
        `select (select left(rolpassword, 3) from pg_authid where rolname = 'tusk_md5') as md5,
              (select left(rolpassword, 13) from pg_authid where rolname = 'tusk_scram') as scram`,
      )
      expect(row).toEqual({ md5: 'md5', scram: 'SCRAM-SHA-256' })
    },
  )

  it.runIf(server.certs)('logs the cert role in with the client certificate only', async () => {
    const certs = server.certs!
    const base = { host: 'localhost', port: server.port, database: 'postgres', user: 'tusk_cert' }
    const row = await query<{ u: string }>(
      { ...base, ssl: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } },
      'select current_user as u',
    )
    expect(row.u).toBe('tusk_cert')
    await expect(query({ ...base, ssl: { ca: certs.ca } }, 'select 1')).rejects.toMatchObject({
      code: '28000',
    })
    await expect(query({ ...base, ssl: false }, 'select 1')).rejects.toMatchObject({
      code: '28000',
    })
  })

  it.runIf(server.socketDir)('accepts connections on its Unix socket', async () => {
    const row = await query<{ path: string | null }>(
      { host: server.socketDir!, port: server.port, user: 'postgres', database: 'postgres' },
      'select inet_server_addr() as path',
    )
    expect(row.path).toBeNull()
  })
})

describe.each(availableBinaries().map((b) => [`${b.source} ${b.version}`, b] as const))(
  'a private server from %s binaries',
  (_name, bins) => {
    let server: LocalServer | undefined
    afterAll(async () => server?.stop())

    it('applies settings, keeps data across a restart on the same port, then cleans up', async () => {
      server = await startLocalServer(bins, { settings: { work_mem: '7MB' }, tls: false })
      const { url, port, dataDir } = server
      const pid = server.pid!
      expect(pgrep()).toContain(String(pid))
      const wm = await query<{ work_mem: string }>({ connectionString: url }, 'show work_mem')
      expect(wm.work_mem).toBe('7MB')
      await query({ connectionString: url }, 'create table kept as select 42 as x')
      await server.restart()
      expect(server.port).toBe(port)
      expect(server.pid).not.toBe(pid)
      const row = await query<{ x: number }>({ connectionString: url }, 'select x from kept')
      expect(row.x).toBe(42)
      const lastPid = server.pid!
      await server.stop()
      expect(existsSync(dataDir)).toBe(false)
      expect(pgrep()).not.toMatch(new RegExp(`^${lastPid} `, 'm'))
      expect(pgrep()).not.toContain(dataDir)
    })
  },
)

describe('cleanup after a crash', () => {
  it('stops the server and removes its folder when the owning process is killed', async () => {
    const bins = availableBinaries()[0]!
    const script = `
      import { startLocalServer } from ${JSON.stringify(path.resolve(__dirname, '../src/index.ts'))}
      const s = await startLocalServer(${JSON.stringify(bins)}, { tls: false })
      console.log(JSON.stringify({ pid: s.pid, dataDir: s.dataDir }))
      setInterval(() => {}, 1000)
    `
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: path.resolve(__dirname, '..'),
      },
    )
    const info = await new Promise<{ pid: number; dataDir: string }>((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (d) => {
        out += d
        const line = out.split('\n').find((l) => l.startsWith('{'))
        if (line) resolve(JSON.parse(line))
      })
      child.on('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)))
    })
    expect(pgrep()).toContain(String(info.pid))
    child.kill('SIGKILL')
    await until(() => !existsSync(info.dataDir) && !pgrep().includes(info.dataDir), {
      timeout: 15_000,
      interval: 100,
      what: 'the reaper to stop the server and remove its folder',
    })
    expect(existsSync(info.dataDir)).toBe(false)
    expect(pgrep()).not.toMatch(new RegExp(`^${info.pid} `, 'm'))
  })

  it('sweeps a folder left by a dead run', () => {
    const dir = path.join(os.tmpdir(), `tusk-pg-stale-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      path.join(dir, 'owner.json'),
      JSON.stringify({ ownerPid: 2 ** 22 + 1, createdAt: '' }),
    )
    expect(sweepStale()).toBeGreaterThanOrEqual(1)
    expect(existsSync(dir)).toBe(false)
  })
})
