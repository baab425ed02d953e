/**
 * Starts and stops real PostgreSQL servers from local binaries: initdb into a temp folder, TLS,
 * roles for every password method, pg_hba.conf, a Unix socket, restart on the same port.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BinarySet } from './binaries.js'
import { generateCertificates, type TestCertificates } from './certs.js'
import { type ServerUser, serverUser } from './os-user.js'
import { DIR_PREFIX, type OwnerRecord, sweepStale } from './sweep.js'

/** A login role the testkit created, with the auth method pg_hba.conf gives it. */
export interface TestRole {
  user: string
  /** Absent for the `cert` role, which logs in with the client certificate. */
  password?: string
  method: 'scram-sha-256' | 'md5' | 'password' | 'cert' | 'trust'
}

/** Options for a server started from local binaries. */
export interface LocalServerOptions {
  /** Extra `postgresql.conf` settings, e.g. `{ max_connections: 200 }`. */
  settings?: Record<string, string | number | boolean>
  /** Turn TLS on with a per-run CA, server and client certificate (default true). */
  tls?: boolean
  /** Port to listen on; default a free one. */
  port?: number
  /** Extra pg_hba.conf lines, placed before the generated ones. */
  hba?: string[]
  /** Keep fsync and full page writes on (default off: tests don't need durability). */
  durable?: boolean
  /** Also listen on ::1 when the machine has it (default true). */
  ipv6?: boolean
}

/** The roles every local test server has. */
export interface TestRoles {
  superuser: TestRole
  scram: TestRole
  md5: TestRole
  password: TestRole
  cert: TestRole
}

/** A running local server and the means to stop, restart and clean it up. */
export interface LocalServer {
  url: string
  host: string
  port: number
  version: string
  major: number
  socketDir: string
  dataDir: string
  roles: TestRoles
  certs?: TestCertificates
  /** Path of the server's log file. */
  logFile: string
  /** Stop the server process but keep its data and port (for restart tests). */
  halt(): Promise<void>
  /** Start a halted server again on the same port. */
  start(): Promise<void>
  /** Halt then start. */
  restart(): Promise<void>
  /** Stop the server and delete every file it had. Safe to call twice. */
  stop(): Promise<void>
  /** True while the server process runs. */
  readonly running: boolean
  /** PID of the postmaster while it runs. */
  readonly pid: number | undefined
}

const here = path.dirname(fileURLToPath(import.meta.url))
const PORT_RANGE_TRIES = 5

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      )
    })
  })
}

function hasIpv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((list) =>
    (list ?? []).some((i) => i.family === 'IPv6' && i.address === '::1'),
  )
}

function secret(): string {
  return randomBytes(12).toString('hex')
}

function chownTree(dir: string, user: ServerUser): void {
  if (!user.switched) return
  execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir])
}

/** Runs a binary as the server user, returning stdout; throws with stderr on failure. */
function runAs(user: ServerUser, file: string, args: string[], input?: string): string {
  try {
    return execFileSync(file, args, {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(user.switched ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    })
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string }
    throw new Error(
      `testkit: ${path.basename(file)} failed: ${e.stderr || e.stdout || String(err)}`,
    )
  }
}

/** A copy of the binaries the server user can read (node_modules may sit under a private home). */
function readableBinaries(bins: BinarySet, user: ServerUser): BinarySet {
  if (!user.switched) return bins
  try {
    execFileSync(path.join(bins.binDir, 'postgres'), ['--version'], {
      uid: user.uid,
      gid: user.gid,
      stdio: 'ignore',
    })
    return bins
  } catch {
    const root = path.dirname(bins.binDir)
    const copy = path.join(os.tmpdir(), `tusk-pgbin-${bins.source}-${bins.version}`)
    if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
      rmSync(copy, { recursive: true, force: true })
      cpSync(root, copy, { recursive: true, verbatimSymlinks: true })
      execFileSync('chmod', ['-R', 'a+rX', copy])
    }
    return { ...bins, binDir: path.join(copy, 'bin') }
  }
}

function confValue(v: string | number | boolean): string {
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? 'on' : 'off'
  return `'${v.replace(/'/g, "''")}'`
}

/** Initializes a data dir and starts a server from `bins`; see {@link LocalServerOptions}. */
export async function startLocalServer(
  bins: BinarySet,
  options: LocalServerOptions = {},
): Promise<LocalServer> {
  sweepStale()
  const user = serverUser()
  const usable = readableBinaries(bins, user)
  const baseDir = mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX))
  const owner: OwnerRecord = { ownerPid: process.pid, createdAt: new Date().toISOString() }
  writeFileSync(path.join(baseDir, 'owner.json'), JSON.stringify(owner))
  chmodSync(baseDir, 0o755)
  const dataDir = path.join(baseDir, 'data')
  const socketDir = path.join(baseDir, 'socket')
  const logFile = path.join(baseDir, 'server.log')
  mkdirSync(socketDir, { mode: 0o777 })
  chmodSync(socketDir, 0o777)

  // The watchdog is up before anything else, so even a crash during initdb leaves nothing behind.
  const reaper = spawn(
    process.execPath,
    [path.join(here, 'reaper.cjs'), baseDir, path.join(dataDir, 'postmaster.pid')],
    {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  )
  reaper.unref()
  ;(reaper.stdin as unknown as { unref?: () => void }).unref?.()

  const roles: TestRoles = {
    superuser: { user: 'postgres', password: secret(), method: 'scram-sha-256' },
    scram: { user: 'tusk_scram', password: secret(), method: 'scram-sha-256' },
    md5: { user: 'tusk_md5', password: secret(), method: 'md5' },
    password: { user: 'tusk_password', password: secret(), method: 'password' },
    cert: { user: 'tusk_cert', method: 'cert' },
  }
  const tls = options.tls ?? true
  let port = options.port ?? (await freePort())
  let certs: TestCertificates | undefined
  let child: ChildProcess | undefined
  let stopped = false

  try {
    mkdirSync(dataDir, { mode: 0o700 })
    chownTree(baseDir, user)
    writeFileSync(path.join(baseDir, 'pwfile'), `${roles.superuser.password}\n`)
    chownTree(baseDir, user)
    runAs(user, path.join(usable.binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--pwfile',
      path.join(baseDir, 'pwfile'),
      '-E',
      'UTF8',
      '--locale',
      'C',
      '--auth-local',
      'trust',
      '--auth-host',
      'scram-sha-256',
      '--no-sync',
    ])
    rmSync(path.join(baseDir, 'pwfile'))

    if (tls) {
      const certDir = path.join(baseDir, 'certs')
      mkdirSync(certDir)
      certs = generateCertificates(certDir, roles.cert.user)
      chmodSync(certDir, 0o755)
      for (const f of [certs.serverKeyFile, certs.wrongHostKeyFile]) {
        if (user.switched) chownSync(f, user.uid, user.gid)
      }
      for (const f of [certs.caCertFile, certs.serverCertFile, certs.wrongHostCertFile])
        chmodSync(f, 0o644)
    }

    const listen = ['127.0.0.1']
    if ((options.ipv6 ?? true) && hasIpv6Loopback()) listen.push('::1')
    const settings: Record<string, string | number | boolean> = {
      listen_addresses: listen.join(','),
      unix_socket_directories: socketDir,
      max_connections: 120,
      ...(options.durable
        ? {}
        : { fsync: false, full_page_writes: false, synchronous_commit: false }),
      log_min_messages: 'warning',
      ...(tls && certs
        ? {
            ssl: true,
            ssl_cert_file: certs.serverCertFile,
            ssl_key_file: certs.serverKeyFile,
            ssl_ca_file: certs.caCertFile,
          }
        : {}),
      ...options.settings,
    }
    const conf = Object.entries(settings)
      .map(([k, v]) => `${k} = ${confValue(v)}`)
      .join('\n')
    writeFileSync(path.join(dataDir, 'tusk.conf'), `${conf}\n`)
    writeFileSync(
      path.join(dataDir, 'postgresql.conf'),
      `${readFileSync(path.join(dataDir, 'postgresql.conf'), 'utf8')}\ninclude 'tusk.conf'\n`,
    )

    const hba = [
      ...(options.hba ?? []),
      'local all postgres trust',
      'local all tusk_md5 md5',
      'local all tusk_password password',
      'local all all scram-sha-256',
      ...(tls ? ['hostssl all tusk_cert all cert'] : []),
      'host all tusk_cert all reject',
      'host all tusk_md5 all md5',
      'host all tusk_password all password',
      'host all all all scram-sha-256',
    ]
    writeFileSync(path.join(dataDir, 'pg_hba.conf'), `${hba.join('\n')}\n`)
    chownTree(dataDir, user)

    // Roles are created in single-user mode, so no client is needed before the server is up.
    const bootstrap = [
      `CREATE ROLE ${roles.scram.user} LOGIN PASSWORD '${roles.scram.password}';`,
      `CREATE ROLE ${roles.password.user} LOGIN PASSWORD '${roles.password.password}';`,
      `CREATE ROLE ${roles.cert.user} LOGIN;`,
      `SET password_encryption = 'md5';`,
      `CREATE ROLE ${roles.md5.user} LOGIN PASSWORD '${roles.md5.password}';`,
      `RESET password_encryption;`,
      `CREATE DATABASE tusk_test OWNER ${roles.scram.user};`,
      `GRANT ALL ON DATABASE postgres TO PUBLIC;`,
      `GRANT ALL ON SCHEMA public TO PUBLIC;`,
    ].join('\n')
    runAs(
      user,
      path.join(usable.binDir, 'postgres'),
      ['--single', '-D', dataDir, '-c', 'log_min_messages=fatal', 'postgres'],
      `${bootstrap}\n`,
    )
  } catch (err) {
    rmSync(baseDir, { recursive: true, force: true })
    reaper.stdin?.end('done\n')
    throw err
  }

  const launch = async (): Promise<void> => {
    const log = openSync(logFile, 'a')
    if (user.switched) chownSync(logFile, user.uid, user.gid)
    const proc = spawn(path.join(usable.binDir, 'postgres'), ['-D', dataDir, '-p', String(port)], {
      stdio: ['ignore', log, log],
      ...(user.switched ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    })
    child = proc
    let exited: number | null | undefined
    proc.on('exit', (code) => {
      exited = code
      if (child === proc) child = undefined
    })
    const pidFile = path.join(dataDir, 'postmaster.pid')
    const deadline = Date.now() + 60_000
    for (;;) {
      if (exited !== undefined) {
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')
        throw new Error(`testkit: postgres exited with code ${exited} while starting:\n${tail}`)
      }
      try {
        const lines = readFileSync(pidFile, 'utf8').split('\n')
        if (lines[0] === String(proc.pid) && lines[7]?.trim() === 'ready') return
      } catch {}
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`testkit: postgres did not become ready in 60 s; log: ${logFile}`)
      }
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  const halt = async (): Promise<void> => {
    const proc = child
    if (!proc || proc.exitCode !== null) return
    const gone = new Promise<void>((r) => proc.once('exit', () => r()))
    proc.kill('SIGINT')
    const timer = setTimeout(() => proc.kill('SIGQUIT'), 10_000)
    await gone
    clearTimeout(timer)
  }

  for (let attempt = 1; ; attempt++) {
    try {
      await launch()
      break
    } catch (err) {
      const portTaken = /could not bind|Address already in use/.test(String(err))
      if (!portTaken || options.port !== undefined || attempt >= PORT_RANGE_TRIES) {
        rmSync(baseDir, { recursive: true, force: true })
        reaper.stdin?.end('done\n')
        throw err
      }
      port = await freePort()
    }
  }

  const host = '127.0.0.1'
  const su = roles.superuser
  const server: LocalServer = {
    url: `postgres://${su.user}:${su.password}@${host}:${port}/postgres`,
    host,
    port,
    version: bins.version,
    major: bins.major,
    socketDir,
    dataDir,
    roles,
    ...(certs ? { certs } : {}),
    logFile,
    halt,
    start: launch,
    restart: async () => {
      await halt()
      await launch()
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      await halt()
      rmSync(baseDir, { recursive: true, force: true })
      reaper.stdin?.end('done\n')
    },
    get running() {
      return child !== undefined && child.exitCode === null
    },
    get pid() {
      return child?.pid
    },
  }
  return server
}
