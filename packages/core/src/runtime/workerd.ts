/**
 * Cloudflare Workers' runtime, bound by the `workerd` entry (`src/workerd.ts`): `cloudflare:sockets`
 * transports, WebCrypto, and no environment or filesystem. A Worker's configuration arrives as
 * bindings on `env`, never as process variables, so the conninfo is the only source: `PG*`
 * variables, `.pgpass` and service files are not consulted, and asking for a file by name
 * (`passfile`, `service`, `sslrootcert`, `sslcert`, …) is a `ConfigError` naming the runtime.
 */
import type { FileContents, ResolveContext } from '../conninfo/context.js'
import { ConfigError } from '../errors/client.js'
import type { Runtime } from './runtime.js'
import { webCrypto } from './web-crypto.js'
import { WORKERD, workerdTransport } from './workerd-transport.js'

function noFilesystem(path: string): never {
  throw new ConfigError(
    `${WORKERD} has no filesystem: cannot read "${path}"; pass the connection's settings in the connection string or options (for a certificate: the platform verifies against its own trusted roots)`,
  )
}

const context: ResolveContext = {
  env: {},
  readFile: (path: string): FileContents => noFilesystem(path),
  // TCP to localhost when no host is given: there are no Unix sockets.
  defaultSocketDir: '',
  platform: 'workerd',
}

/** The Workers runtime (the same object for every connect and pool: there is nothing to read). */
export function workerdRuntime(): Runtime {
  return {
    name: 'workerd',
    transport: workerdTransport,
    crypto: webCrypto,
    context,
    readBytes: noFilesystem,
    platformTrust: true,
  }
}
