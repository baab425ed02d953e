/**
 * @tusk/core for Cloudflare Workers (the `workerd` export condition): the same API as the Node
 * entry, with `connect`, `createPool` and `createCluster` bound to the Workers runtime — TCP over
 * `cloudflare:sockets`, TLS by `startTls()`, SCRAM over WebCrypto. The conninfo is the only source
 * of settings (no `PG*` variables, `.pgpass` or service files); Node streams (`copyTo`,
 * `cursor.stream()`) are refused with a `ConfigError` naming what to use instead
 * (`copyToIterable()`, iterating the cursor). Needs no `nodejs_compat` flag.
 * @packageDocumentation
 */

import { type Cluster, type ClusterOptions, createClusterOn } from './cluster/cluster.js'
import type { ConnectOptions } from './connection/connect.js'
import type { ConnectionOptions } from './conninfo/index.js'
import type { PoolOptions } from './pool/options.js'
import { createPoolOn, type Pool } from './pool/pool.js'
import type { OnlyKnownKeys } from './public.js'
import { workerdRuntime } from './runtime/workerd.js'
import { openSession } from './session/connect.js'
import type { Session } from './session/session.js'

/**
 * Opens a session from a `postgres://` URI, a `key=value` string or an options object (on Workers
 * the conninfo is the only source: pass e.g. `env.DATABASE_URL`). Close it with `close()`, or
 * from `ctx.waitUntil()` once the response is on its way.
 */
export function connect<O extends ConnectOptions = ConnectOptions>(
  conninfo?: string | ConnectionOptions,
  options?: OnlyKnownKeys<O, ConnectOptions>,
): Promise<Session> {
  return openSession(conninfo, options ?? {}, workerdRuntime)
}

/**
 * Creates a pool. A Worker's sockets belong to the request that opened them: create the pool in
 * the request (`max: 1` is enough for most) and end it with `ctx.waitUntil(pool.end())`.
 */
export function createPool<O extends PoolOptions = PoolOptions>(
  conninfo?: string | ConnectionOptions,
  options?: OnlyKnownKeys<O, PoolOptions>,
): Pool {
  return createPoolOn(conninfo, options ?? {}, workerdRuntime)
}

/** Creates a cluster from a multi-host conninfo (see the Node entry's `createCluster`). */
export function createCluster(
  conninfo?: string | ConnectionOptions,
  options?: ClusterOptions,
): Cluster {
  return createClusterOn(conninfo, options ?? {}, workerdRuntime)
}

export * from './public.js'
