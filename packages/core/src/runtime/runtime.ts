/**
 * The runtime a connection runs on, as one object: transport, crypto, environment and file
 * reads. Types only; each runtime's entry binds its implementation (`node.ts` for Node).
 */
import type { ResolveContext } from '../conninfo/context.js'
import type { CryptoRuntime } from './crypto.js'
import type { TransportFactory } from './transport.js'

/** Reads a certificate or key file; undefined when it does not exist. */
export type ReadBytes = (path: string) => Uint8Array | undefined

/** The runtime pieces a connection uses; replaceable for tests or other runtimes. */
export interface Runtime {
  /**
   * The runtime's name in messages (`node`, `bun`, `deno`, `workerd`, or what the `default` entry
   * detected); each package entry sets its own.
   */
  name?: string
  /** Opens TCP, TLS and Unix-socket transports. */
  transport: TransportFactory
  /** Hashing, HMAC, PBKDF2 and random bytes for authentication. */
  crypto: CryptoRuntime
  /** Environment, files, home directory and user name for conninfo. */
  context: ResolveContext
  /** Reads certificate and key files. */
  readBytes: ReadBytes
  /**
   * The most memory (bytes) the process's JS heap may grow to, when the runtime knows it: the
   * default result-size guard (`maxBytes`) is derived from it. Undefined: no default guard.
   */
  heapLimit?: () => number | undefined
  /**
   * True when the runtime's TLS always verifies the server against its own trusted roots and
   * cannot be given a CA (Cloudflare Workers): `verify-ca`/`verify-full` then need no root
   * certificate file, as with `sslrootcert=system`.
   */
  platformTrust?: boolean
}

/** The runtime with `defaults()` filling what `partial` leaves out. */
export function runtimeOf(partial: Partial<Runtime> | undefined, defaults: () => Runtime): Runtime {
  if (
    partial?.transport !== undefined &&
    partial.crypto !== undefined &&
    partial.context !== undefined &&
    partial.readBytes !== undefined
  ) {
    return partial as Runtime
  }
  const base = defaults()
  const name = partial?.name ?? base.name
  return {
    ...(name !== undefined ? { name } : {}),
    transport: partial?.transport ?? base.transport,
    crypto: partial?.crypto ?? base.crypto,
    context: partial?.context ?? base.context,
    readBytes: partial?.readBytes ?? base.readBytes,
    ...((partial?.heapLimit ?? base.heapLimit)
      ? { heapLimit: partial?.heapLimit ?? base.heapLimit }
      : {}),
    ...((partial?.platformTrust ?? base.platformTrust)
      ? { platformTrust: partial?.platformTrust ?? base.platformTrust }
      : {}),
  }
}
