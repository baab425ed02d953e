/**
 * @tusk/core — a PostgreSQL driver for TypeScript: the wire protocol, connections, TLS and SCRAM,
 * libpq connection strings and a typed error taxonomy. Everything a user imports comes from here.
 * @packageDocumentation
 */

import { type Cluster, type ClusterOptions, createClusterOn } from './cluster/cluster.js'
import type { ConnectOptions } from './connection/connect.js'
import type { ConnectionOptions } from './conninfo/index.js'
import type { PoolOptions } from './pool/options.js'
import { createPoolOn, type Pool } from './pool/pool.js'
import type { OnlyKnownKeys } from './public.js'
import { nodeRuntime } from './runtime/node.js'
import { openSession } from './session/connect.js'
import type { Session } from './session/session.js'

/**
 * Opens a session. `conninfo` is a `postgres://` URI, a `key=value` string or an options object;
 * unset parameters come from `PG*` variables, the service file, `.pgpass` and libpq's defaults.
 * Resolves once the session is authenticated and ready for queries. Close it with `close()`.
 */
export function connect<O extends ConnectOptions = ConnectOptions>(
  conninfo?: string | ConnectionOptions,
  options?: OnlyKnownKeys<O, ConnectOptions>,
): Promise<Session> {
  return openSession(conninfo, options ?? {}, nodeRuntime)
}

/**
 * Creates a pool. `conninfo` is a URI, a `key=value` string or libpq options; pool options
 * (min, max, timeouts, hooks) and connection options (types, logger, statement cache) go in
 * `options`. Nothing connects until the first checkout unless `min` > 0.
 */
export function createPool<O extends PoolOptions = PoolOptions>(
  conninfo?: string | ConnectionOptions,
  options?: OnlyKnownKeys<O, PoolOptions>,
): Pool {
  return createPoolOn(conninfo, options ?? {}, nodeRuntime)
}

/**
 * Creates a cluster from a multi-host conninfo (`host=a,b,c`): `cluster.query()` and
 * `cluster.transaction()` run on a pool on the primary (found with target_session_attrs=read-write),
 * `cluster.read.query()` on a pool on the standbys (prefer-standby, load-balanced). Nothing
 * connects until the first call.
 */
export function createCluster(
  conninfo?: string | ConnectionOptions,
  options?: ClusterOptions,
): Cluster {
  return createClusterOn(conninfo, options ?? {}, nodeRuntime)
}

export * from './public.js'
