/**
 * The runtime of the `default` entry (`src/default.ts`), resolved by a bundler or runtime that
 * matched none of the `node`, `bun`, `deno` and `workerd` export conditions. It imports no `node:`
 * module, so it loads anywhere: SCRAM over WebCrypto, no environment and no filesystem, and a
 * transport that refuses with a `ConfigError` naming the runtime it detected and the entries
 * that can connect — instead of a crash on a missing module.
 */
import type { FileContents, ResolveContext } from '../conninfo/context.js'
import { ConfigError } from '../errors/client.js'
import { CONNECTING_ENTRIES, detectRuntime } from './detect.js'
import type { Runtime } from './runtime.js'
import type { Transport, TransportFactory } from './transport.js'
import { webCrypto } from './web-crypto.js'

const name = detectRuntime()

function noFilesystem(path: string): never {
  throw new ConfigError(
    `the default entry of @tusk/core (on ${name}) reads no files: cannot read "${path}"; pass the connection's settings in the connection string or options`,
  )
}

/** Refuses every connection: this entry has no sockets. */
const refusingTransport: TransportFactory = {
  connect(): Promise<Transport> {
    return Promise.reject(
      new ConfigError(
        `@tusk/core was loaded through its default entry on ${name}, which opens no sockets: entries that connect exist for ${CONNECTING_ENTRIES}; make the bundler or runtime resolve one of these export conditions`,
      ),
    )
  },
}

const context: ResolveContext = {
  env: {},
  readFile: (path: string): FileContents => noFilesystem(path),
  defaultSocketDir: '',
}

/** The `default` entry's runtime (the same pieces for every connect and pool). */
export function defaultRuntime(): Runtime {
  return {
    name,
    transport: refusingTransport,
    crypto: webCrypto,
    context,
    readBytes: noFilesystem,
  }
}
