/**
 * The server under test: BENCH_DATABASE_URL when set, else a testkit server from the system's
 * PostgreSQL binaries (the reference figures are PostgreSQL 15), else the embedded ones.
 * Every client connects over TCP to 127.0.0.1 with TLS off (`sslmode=disable`).
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { embeddedBinaries, startPostgres, systemBinaries } from '@tusk/testkit'
import pg from 'pg'
import { postmasterOf } from './server-cpu.js'
import type { LibpqTools } from './workloads.js'

/** postgresql.conf settings of a server the bench starts (durability off, as in the testkit). */
export const SERVER_SETTINGS: Record<string, string | number> = {
  shared_buffers: '1GB',
  max_connections: 120,
}

/** A server ready for the workloads. */
export interface BenchServer {
  /** Connection URL with `sslmode=disable`. */
  url: string
  /** `SHOW server_version`. */
  version: string
  /** How it was started, for the results header. */
  description: string
  tools: LibpqTools
  /** The postmaster's pid when the server runs on this machine (for its CPU time), else undefined. */
  pid: number | undefined
  stop(): Promise<void>
}

function withSslDisabled(url: string): string {
  const u = new URL(url)
  u.searchParams.set('sslmode', 'disable')
  return u.toString()
}

function findTool(name: string, dirs: readonly (string | undefined)[]): string | undefined {
  const path_ = process.env.PATH?.split(path.delimiter) ?? []
  for (const dir of [process.env.BENCH_PG_BIN, ...dirs, ...path_]) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name)
  }
  return undefined
}

/** `SHOW server_version`, and the postmaster's pid when it is a process of this machine. */
async function inspectServer(url: string): Promise<{ version: string; pid: number | undefined }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ server_version: string; backend: number }>(
      'SELECT current_setting($1) AS server_version, pg_backend_pid() AS backend',
      ['server_version'],
    )
    const row = rows[0]
    return {
      version: row?.server_version ?? 'unknown',
      pid: row ? postmasterOf(row.backend) : undefined,
    }
  } finally {
    await client.end()
  }
}

/** The binaries to start: `wanted` when set, else the system's, else the embedded ones. */
function localSource(wanted: string | undefined): 'system' | 'embedded' | undefined {
  if (wanted === 'system' || wanted === 'embedded') return wanted
  if (wanted) throw new Error('BENCH_PG_SOURCE must be system or embedded')
  return systemBinaries() ? 'system' : embeddedBinaries() ? 'embedded' : undefined
}

/** Starts (or finds) the server. */
export async function startBenchServer(): Promise<BenchServer> {
  const systemDir = systemBinaries()?.binDir
  const tools = { pgbench: findTool('pgbench', [systemDir]), psql: findTool('psql', [systemDir]) }
  const external = process.env.BENCH_DATABASE_URL
  if (external) {
    const url = withSslDisabled(external)
    const { version } = await inspectServer(url)
    const host = new URL(url).host
    return {
      url,
      version,
      description: `BENCH_DATABASE_URL (${host}), PostgreSQL ${version}`,
      tools,
      // A pid seen through BENCH_DATABASE_URL may belong to another machine: no server CPU.
      pid: undefined,
      stop: async () => {},
    }
  }
  const source = localSource(process.env.BENCH_PG_SOURCE)
  if (!source) throw new Error('no PostgreSQL binaries: set BENCH_DATABASE_URL')
  const server = await startPostgres({ source, tls: false, settings: SERVER_SETTINGS })
  const url = withSslDisabled(server.url)
  const { version, pid } = await inspectServer(url)
  const settings = Object.entries(SERVER_SETTINGS)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
  return {
    url,
    version,
    description: `PostgreSQL ${version} (${source} binaries, started by the testkit; ${settings}; fsync off)`,
    tools,
    pid,
    stop: () => server.stop(),
  }
}
