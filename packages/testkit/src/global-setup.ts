/**
 * Vitest global setup: starts the server matrix once per run (shared by every project of the
 * workspace), hands the servers to the tests through `provide`, and prints what ran.
 */
import type { TestProject } from 'vitest/node'
import { type PostgresServer, serverMatrix, startPostgres } from './index.js'
import type { TestServerInfo } from './vitest.js'

interface Shared {
  servers: Promise<PostgresServer[]>
  users: number
}

const KEY = Symbol.for('tusk.testkit.globalServers')
type Holder = { [KEY]?: Shared }

function describeServer(s: PostgresServer): TestServerInfo {
  const l = s.local
  return {
    name: `${s.source} ${s.version}`,
    source: s.source,
    version: s.version,
    major: s.major,
    url: s.url,
    host: s.host,
    port: s.port,
    socketDir: s.socketDir ?? null,
    roles: l ? l.roles : null,
    certs: l?.certs
      ? {
          caCertFile: l.certs.caCertFile,
          clientCertFile: l.certs.clientCertFile,
          clientKeyFile: l.certs.clientKeyFile,
          ca: l.certs.ca,
          clientCert: l.certs.clientCert,
          clientKey: l.certs.clientKey,
        }
      : null,
  }
}

/** Starts the servers (once per vitest process) and provides them as `tuskServers`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const holder = globalThis as Holder
  let shared = holder[KEY]
  if (!shared) {
    const servers = (async () => {
      const matrix = await serverMatrix()
      if (matrix.length === 0)
        throw new Error('testkit: no PostgreSQL server can be started on this machine')
      const started = await Promise.all(matrix.map((m) => startPostgres({ source: m.source })))
      const names = started.map((s) => `PostgreSQL ${s.version} (${s.source})`).join(', ')
      console.log(`[testkit] Node ${process.version}; servers: ${names}`)
      return started
    })()
    shared = { servers, users: 0 }
    holder[KEY] = shared
  }
  shared.users++
  const servers = await shared.servers
  project.provide('tuskServers', servers.map(describeServer))
  const mine = shared
  return async () => {
    mine.users--
    if (mine.users === 0) {
      delete holder[KEY]
      await Promise.all(servers.map((s) => s.stop()))
    }
  }
}
