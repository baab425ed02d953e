/**
 * The test side of the global setup: typed access to the servers it started. Import only from
 * test files (it imports vitest).
 */
import { inject } from 'vitest'
import type { ServerSource } from './binaries.js'
import type { TestRoles } from './server.js'

/** What a test knows about one server of the run (serializable). */
export interface TestServerInfo {
  /** e.g. `embedded 18.4`. */
  name: string
  source: ServerSource
  version: string
  major: number
  /** Superuser URL. */
  url: string
  host: string
  port: number
  socketDir: string | null
  roles: TestRoles | null
  certs: {
    caCertFile: string
    clientCertFile: string
    clientKeyFile: string
    ca: string
    clientCert: string
    clientKey: string
  } | null
}

declare module 'vitest' {
  export interface ProvidedContext {
    tuskServers: TestServerInfo[]
  }
}

/** The servers of this run, for `describe.each(testServers())`. */
export function testServers(): TestServerInfo[] {
  return inject('tuskServers')
}
