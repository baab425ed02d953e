/**
 * @tusk/core — a PostgreSQL driver for TypeScript: the wire protocol, connections, TLS and SCRAM,
 * libpq connection strings and a typed error taxonomy. Everything a user imports comes from here.
 * This is the Node entry (the `node` export condition); `bun.ts`, `deno.ts`, `workerd.ts` and
 * `default.ts` export the same names bound to their runtimes.
 * @packageDocumentation
 */

import { bindRuntime, type RuntimeEntry } from './entry.js'
import { nodeRuntime } from './runtime/node.js'

const node = bindRuntime(nodeRuntime)

/**
 * Opens a session. `conninfo` is a `postgres://` URI, a `key=value` string or an options object;
 * unset parameters come from `PG*` variables, the service file, `.pgpass` and libpq's defaults.
 * Resolves once the session is authenticated and ready for queries. Close it with `close()`.
 */
export const connect = node.connect

/**
 * Creates a pool. `conninfo` is a URI, a `key=value` string or libpq options; pool options
 * (min, max, timeouts, hooks) and connection options (types, logger, statement cache) go in
 * `options`. Nothing connects until the first checkout unless `min` > 0.
 */
export const createPool = node.createPool

/**
 * Creates a cluster from a multi-host conninfo (`host=a,b,c`): `cluster.query()` and
 * `cluster.transaction()` run on a pool on the primary (found with target_session_attrs=read-write),
 * `cluster.read.query()` on a pool on the standbys (prefer-standby, load-balanced). Nothing
 * connects until the first call.
 */
export const createCluster = node.createCluster

/**
 * The export condition this copy of `@tusk/core` was loaded through: `node` here; `bun`, `deno`,
 * `workerd` or `default` from the other entries.
 */
export const runtimeEntry: RuntimeEntry = 'node'

export * from './public.js'
