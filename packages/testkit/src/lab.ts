/**
 * A replication lab for scale-out tests: two PostgreSQL nodes on loopback (a primary and a
 * streaming hot standby) and, when installed, a PgBouncer in front of the primary. Nodes can be
 * stopped (fast or immediate), restarted, promoted, and rebuilt as a standby of the other.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BinarySet } from './binaries.js'
import { embeddedBinaries, systemBinaries } from './binaries.js'
import { type ServerUser, serverUser } from './os-user.js'
import { freePort, type LocalServer, startLocalServer } from './server.js'
import { DIR_PREFIX, type OwnerRecord } from './sweep.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const LOOPBACK = '127.0.0.1'

/** How a node is stopped: `fast` (SIGINT, clean checkpoint) or `immediate` (SIGQUIT, a crash). */
export type StopMode = 'fast' | 'immediate'

/** One PostgreSQL server of the lab. */
export interface LabNode {
  /** `a` or `b`; the roles move between them on failover. */
  readonly name: string
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly socketDir: string
  readonly logFile: string
  /** True while the postmaster runs. */
  readonly running: boolean
  /** Starts the node (as primary or standby, whatever its data dir says); waits until it accepts connections. */
  start(): Promise<void>
  /** Stops the node; `immediate` is `pg_ctl stop -m immediate` (no shutdown checkpoint). */
  stop(mode?: StopMode): Promise<void>
  /** Stops (fast) and starts again. */
  restart(): Promise<void>
  /** Promotes a standby and waits until it accepts writes. */
  promote(): Promise<void>
  /** Runs SQL as the superuser through the node's Unix socket with psql; returns unaligned output. */
  sql(text: string): Promise<string>
}

/** A PgBouncer in front of the lab's primary. */
export interface LabBouncer {
  readonly host: string
  readonly port: number
  readonly poolMode: 'session' | 'transaction' | 'statement'
  /** e.g. `1.18.0`. */
  readonly version: string
  readonly logFile: string
  /** Stops PgBouncer (SIGINT). Safe to call twice. */
  stop(): Promise<void>
}

/** Options of {@link startLab}. */
export interface LabOptions {
  /** Server binaries; default: `TUSK_PG_SOURCES` says (`system` picks the system's), else embedded. */
  binaries?: BinarySet
  /** Start a PgBouncer in front of node `a` (needs `pgbouncer` on PATH or in /usr/sbin). */
  pgbouncer?: { poolMode?: 'session' | 'transaction' | 'statement'; defaultPoolSize?: number }
  /** Extra `postgresql.conf` settings for both nodes. */
  settings?: Record<string, string | number | boolean>
}

/** A running lab. {@link Lab.stop} removes every process and file it made. */
export interface Lab {
  readonly nodes: readonly [LabNode, LabNode]
  /** The superuser and its password (SCRAM over TCP; trust over the Unix sockets). */
  readonly user: string
  readonly password: string
  readonly database: string
  readonly version: string
  readonly major: number
  /** How standbys are made: `pg_basebackup -R`, or a copy of the cleanly stopped primary. */
  readonly cloneMethod: 'pg_basebackup' | 'cold-copy'
  /** Present when PgBouncer was asked for and is installed. */
  readonly bouncer: LabBouncer | undefined
  /** Why there is no bouncer, when one was asked for. */
  readonly bouncerMissing: string | undefined
  /** The node not in recovery (asks each running node). */
  primary(): Promise<LabNode>
  /** A libpq keyword/value string for the given nodes (default both, a then b), plus extras. */
  conninfo(nodes?: readonly LabNode[], extra?: Record<string, string | number>): string
  /** Wipes `node` and rebuilds it as a streaming standby of `of`, then starts it. */
  rebuildStandby(node: LabNode, of: LabNode): Promise<void>
  /** Waits until `standby` has replayed everything `primary` has written so far. */
  waitForReplay(primary: LabNode, standby: LabNode, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/** The `pgbouncer` executable, or undefined when it is not installed. */
export function pgbouncerPath(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin']) {
    if (dir && existsSync(path.join(dir, 'pgbouncer'))) return path.join(dir, 'pgbouncer')
  }
  return undefined
}

/** A `psql`: beside the server binaries, else the system's. */
export function psqlPath(bins?: BinarySet): string | undefined {
  const candidates = [
    ...(bins ? [path.join(bins.binDir, 'psql')] : []),
    ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'psql')),
    '/usr/bin/psql',
  ]
  return candidates.find((c) => existsSync(c))
}

/** A `pg_basebackup` that can copy a server of `major` (its own major must be at least that). */
function basebackupFor(bins: BinarySet): string | undefined {
  const candidates = [path.join(bins.binDir, 'pg_basebackup')]
  const debianRoot = '/usr/lib/postgresql'
  if (existsSync(debianRoot)) {
    for (const m of [bins.major, bins.major + 1, bins.major + 2]) {
      candidates.push(path.join(debianRoot, String(m), 'bin', 'pg_basebackup'))
    }
  }
  return candidates.find((c) => existsSync(c))
}

function defaultBinaries(): BinarySet {
  const wanted = process.env.TUSK_PG_SOURCES?.split(',').map((s) => s.trim())
  const bins =
    wanted && !wanted.includes('embedded') && wanted.includes('system')
      ? systemBinaries()
      : (embeddedBinaries() ?? systemBinaries())
  if (!bins) throw new Error('testkit lab: no PostgreSQL binaries on this machine')
  return bins
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function ownerFile(dir: string): void {
  const owner: OwnerRecord = { ownerPid: process.pid, createdAt: new Date().toISOString() }
  writeFileSync(path.join(dir, 'owner.json'), JSON.stringify(owner))
}

/** A detached watchdog that kills what `pidFile` names and removes `dir` if this process dies. */
function startReaper(dir: string, pidFile: string): () => void {
  const reaper = spawn(process.execPath, [path.join(here, 'reaper.cjs'), dir, pidFile], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  })
  reaper.unref()
  ;(reaper.stdin as unknown as { unref?: () => void }).unref?.()
  return () => reaper.stdin?.end('done\n')
}

function chownTree(dir: string, user: ServerUser): void {
  if (user.switched) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir])
}

function asUser(user: ServerUser): { uid?: number; gid?: number } {
  return user.switched ? { uid: user.uid, gid: user.gid } : {}
}

const env = () => ({ ...process.env, LC_ALL: 'C', LANG: 'C' })

class Node implements LabNode {
  readonly host = LOOPBACK
  #child: ChildProcess | undefined
  #exit: Promise<void> | undefined

  constructor(
    readonly name: string,
    readonly port: number,
    readonly dataDir: string,
    readonly socketDir: string,
    readonly logFile: string,
    private readonly binDir: string,
    private readonly psql: string,
    private readonly user: ServerUser,
  ) {}

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && !this.#child.killed
  }

  async start(): Promise<void> {
    if (this.running) return
    const log = openSync(this.logFile, 'a')
    if (this.user.switched) chownSync(this.logFile, this.user.uid, this.user.gid)
    // Port, socket and listen address on the command line: a cloned data dir carries the other
    // node's settings, and the command line wins over postgresql.conf.
    const proc = spawn(
      path.join(this.binDir, 'postgres'),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        `unix_socket_directories=${this.socketDir}`,
        '-c',
        `listen_addresses=${LOOPBACK}`,
      ],
      { stdio: ['ignore', log, log], ...asUser(this.user), env: env() },
    )
    this.#child = proc
    this.#exit = new Promise((resolve) => proc.once('exit', () => resolve()))
    const pidFile = path.join(this.dataDir, 'postmaster.pid')
    const deadline = Date.now() + 60_000
    for (;;) {
      if (proc.exitCode !== null) {
        const tail = readFileSync(this.logFile, 'utf8').split('\n').slice(-15).join('\n')
        throw new Error(`testkit lab: node ${this.name} exited while starting:\n${tail}`)
      }
      try {
        const lines = readFileSync(pidFile, 'utf8').split('\n')
        // A hot standby writes `ready` once it accepts read-only connections.
        if (lines[0] === String(proc.pid) && lines[7]?.trim() === 'ready') return
      } catch {}
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`testkit lab: node ${this.name} not ready in 60 s; log: ${this.logFile}`)
      }
      await sleep(20)
    }
  }

  async stop(mode: StopMode = 'fast'): Promise<void> {
    const proc = this.#child
    if (!proc || proc.exitCode !== null) return
    // SIGQUIT is PostgreSQL's immediate shutdown: children quit without a checkpoint, as in a crash.
    proc.kill(mode === 'immediate' ? 'SIGQUIT' : 'SIGINT')
    const hard = setTimeout(() => proc.kill('SIGKILL'), mode === 'immediate' ? 5_000 : 15_000)
    await this.#exit
    clearTimeout(hard)
    this.#child = undefined
  }

  async restart(): Promise<void> {
    await this.stop('fast')
    await this.start()
  }

  async promote(): Promise<void> {
    const out = await this.sql('SELECT pg_catalog.pg_promote(true, 60)')
    if (out !== 't') throw new Error(`testkit lab: node ${this.name} did not promote: ${out}`)
  }

  sql(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.psql,
        [
          '-X',
          '-A',
          '-t',
          '-q',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          this.socketDir,
          '-p',
          String(this.port),
          '-U',
          'postgres',
          '-d',
          'postgres',
          '-c',
          text,
        ],
        { ...asUser(this.user), env: env(), timeout: 30_000 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`testkit lab: psql on node ${this.name}: ${stderr || err}`))
          else resolve(stdout.trim())
        },
      )
    })
  }
}

/** Starts node `a` as a primary, node `b` as its streaming standby, and optionally PgBouncer. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const bins = options.binaries ?? defaultBinaries()
  const psql = psqlPath(bins)
  if (!psql) throw new Error('testkit lab: psql is needed (apt-get install postgresql-client)')
  const user = serverUser()
  const basebackup = basebackupFor(bins)
  const cleanups: (() => Promise<void> | void)[] = []
  const nodes: Node[] = []
  const stopAll = async (): Promise<void> => {
    for (const n of nodes) await n.stop('immediate').catch(() => {})
    for (const c of cleanups.splice(0).reverse()) await c()
  }
  try {
    // Node a: the testkit's usual server (initdb, roles, pg_hba), halted and then run by the lab.
    const local: LocalServer = await startLocalServer(bins, {
      tls: false,
      ipv6: false,
      hba: [
        'local replication postgres trust',
        `host replication postgres ${LOOPBACK}/32 scram-sha-256`,
      ],
      settings: {
        wal_level: 'replica',
        max_wal_senders: 5,
        hot_standby: true,
        wal_keep_size: '128MB',
        max_connections: 100,
        // Lets a promoted node's old primary be rewound or rejoined without full page images.
        wal_log_hints: true,
        ...options.settings,
      },
    })
    cleanups.push(() => local.stop())
    await local.halt()
    const baseA = path.dirname(local.dataDir)
    const logA = path.join(baseA, 'node.log')
    const portB = await freePort()
    const baseB = mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX))
    ownerFile(baseB)
    chmodSync(baseB, 0o755)
    const dataB = path.join(baseB, 'data')
    const socketB = path.join(baseB, 'socket')
    mkdirSync(socketB, { mode: 0o777 })
    chmodSync(socketB, 0o777)
    const doneB = startReaper(baseB, path.join(dataB, 'postmaster.pid'))
    cleanups.push(() => {
      rmSync(baseB, { recursive: true, force: true })
      doneB()
    })
    chownTree(baseB, user)
    const a = new Node(
      'a',
      local.port,
      local.dataDir,
      local.socketDir,
      logA,
      bins.binDir,
      psql,
      user,
    )
    const b = new Node(
      'b',
      portB,
      dataB,
      socketB,
      path.join(baseB, 'node.log'),
      bins.binDir,
      psql,
      user,
    )
    nodes.push(a, b)
    // A pg_basebackup older than the server refuses it; a stopped primary's copy works with any.
    const cloneMethod = basebackup ? 'pg_basebackup' : 'cold-copy'

    const clone = async (target: Node, source: Node): Promise<void> => {
      await target.stop('immediate')
      rmSync(target.dataDir, { recursive: true, force: true })
      if (cloneMethod === 'pg_basebackup') {
        if (!source.running) await source.start()
        execFileSync(
          basebackup as string,
          [
            '-D',
            target.dataDir,
            '-R',
            '-X',
            'stream',
            '-c',
            'fast',
            '-h',
            source.socketDir,
            '-p',
            String(source.port),
            '-U',
            'postgres',
            '--no-sync',
          ],
          { ...asUser(user), env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
        )
      } else {
        const wasRunning = source.running
        await source.stop('fast')
        execFileSync('cp', ['-a', source.dataDir, target.dataDir])
        rmSync(path.join(target.dataDir, 'postmaster.pid'), { force: true })
        writeFileSync(path.join(target.dataDir, 'standby.signal'), '')
        const auto = path.join(target.dataDir, 'postgresql.auto.conf')
        const conninfo = `host=${source.socketDir} port=${source.port} user=postgres application_name=${target.name}`
        writeFileSync(
          auto,
          `${existsSync(auto) ? readFileSync(auto, 'utf8') : ''}\nprimary_conninfo = '${conninfo}'\n`,
        )
        chownTree(target.dataDir, user)
        if (wasRunning) await source.start()
      }
      chmodSync(target.dataDir, 0o700)
      await target.start()
    }

    await a.start()
    await clone(b, a)

    let bouncer: LabBouncer | undefined
    let bouncerMissing: string | undefined
    if (options.pgbouncer) {
      const exe = pgbouncerPath()
      if (!exe) bouncerMissing = 'pgbouncer is not installed (apt-get install pgbouncer)'
      else {
        bouncer = await startBouncer(
          exe,
          a,
          local.roles.superuser.password as string,
          user,
          options.pgbouncer,
        )
        const b2 = bouncer
        cleanups.push(() => b2.stop())
      }
    }

    const lab: Lab = {
      nodes: [a, b],
      user: 'postgres',
      password: local.roles.superuser.password as string,
      database: 'postgres',
      version: bins.version,
      major: bins.major,
      cloneMethod,
      bouncer,
      bouncerMissing,
      async primary() {
        for (const n of nodes) {
          if (n.running && (await n.sql('SELECT pg_catalog.pg_is_in_recovery()')) === 'f') return n
        }
        throw new Error('testkit lab: no running primary')
      },
      conninfo(which = nodes, extra = {}) {
        const parts: Record<string, string | number> = {
          host: which.map((n) => n.host).join(','),
          port: which.map((n) => n.port).join(','),
          user: 'postgres',
          password: local.roles.superuser.password as string,
          dbname: 'postgres',
          sslmode: 'disable',
          ...extra,
        }
        return Object.entries(parts)
          .map(([k, v]) => `${k}='${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)
          .join(' ')
      },
      rebuildStandby: (node, of) => clone(node as Node, of as Node),
      async waitForReplay(primary, standby, timeoutMs = 15_000) {
        // The insert position, not the write position: with synchronous_commit off (the lab's
        // default) a commit record may still sit in the WAL buffers, before pg_current_wal_lsn().
        const lsn = await primary.sql('SELECT pg_catalog.pg_current_wal_insert_lsn()')
        const deadline = Date.now() + timeoutMs
        for (;;) {
          const behind = await standby.sql(
            `SELECT pg_catalog.pg_wal_lsn_diff('${lsn}', pg_catalog.pg_last_wal_replay_lsn()) > 0`,
          )
          if (behind === 'f') return
          if (Date.now() > deadline) {
            throw new Error(
              `testkit lab: node ${standby.name} did not replay ${lsn} in ${timeoutMs} ms`,
            )
          }
          await sleep(20)
        }
      },
      stop: stopAll,
    }
    return lab
  } catch (err) {
    await stopAll()
    throw err
  }
}

async function startBouncer(
  exe: string,
  primary: Node,
  password: string,
  user: ServerUser,
  o: NonNullable<LabOptions['pgbouncer']>,
): Promise<LabBouncer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX))
  ownerFile(dir)
  chmodSync(dir, 0o755)
  const pidFile = path.join(dir, 'pgbouncer.pid')
  const done = startReaper(dir, pidFile)
  const poolMode = o.poolMode ?? 'transaction'
  const logFile = path.join(dir, 'pgbouncer.log')
  let port = 0
  let proc: ChildProcess | undefined
  try {
    writeFileSync(path.join(dir, 'userlist.txt'), `"postgres" "${password}"\n`, { mode: 0o600 })
    for (let tries = 0; ; tries++) {
      port = await freePort()
      const ini = [
        '[databases]',
        `* = host=${LOOPBACK} port=${primary.port}`,
        '[pgbouncer]',
        `listen_addr = ${LOOPBACK}`,
        `listen_port = ${port}`,
        `unix_socket_dir =`,
        `auth_type = scram-sha-256`,
        `auth_file = ${path.join(dir, 'userlist.txt')}`,
        `pool_mode = ${poolMode}`,
        `default_pool_size = ${o.defaultPoolSize ?? 10}`,
        'max_client_conn = 500',
        `logfile = ${logFile}`,
        `pidfile = ${pidFile}`,
        'ignore_startup_parameters = extra_float_digits,options',
        'log_connections = 0',
        'log_disconnections = 0',
        'server_tls_sslmode = disable',
      ].join('\n')
      writeFileSync(path.join(dir, 'pgbouncer.ini'), `${ini}\n`)
      chownTree(dir, user)
      const p = spawn(exe, [path.join(dir, 'pgbouncer.ini')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        ...asUser(user),
        env: env(),
      })
      proc = p
      let stderr = ''
      p.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString()
      })
      const deadline = Date.now() + 10_000
      let up = false
      while (Date.now() < deadline && p.exitCode === null) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''
        if (log.includes(`listening on ${LOOPBACK}:${port}`)) {
          up = true
          break
        }
        await sleep(20)
      }
      if (up) break
      p.kill('SIGKILL')
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''
      if (tries < 3 && /Address already in use/.test(log + stderr)) continue
      throw new Error(`testkit lab: pgbouncer did not start:\n${stderr}\n${log.slice(-2000)}`)
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    done()
    throw err
  }
  const running = proc as ChildProcess
  const exited = new Promise<void>((r) => {
    if (running.exitCode !== null) r()
    else running.once('exit', () => r())
  })
  let stopped = false
  const version =
    /PgBouncer\s+(\S+)/.exec(execFileSync(exe, ['--version'], { encoding: 'utf8' }))?.[1] ?? '?'
  return {
    host: LOOPBACK,
    port,
    poolMode,
    version,
    logFile,
    async stop() {
      if (stopped) return
      stopped = true
      running.kill('SIGINT')
      const hard = setTimeout(() => running.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(hard)
      rmSync(dir, { recursive: true, force: true })
      done()
    },
  }
}
