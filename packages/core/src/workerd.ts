/**
 * @tusk/core for Cloudflare Workers (the `workerd` export condition): the same API as the Node
 * entry, with `connect`, `createPool` and `createCluster` bound to the Workers runtime — TCP over
 * `cloudflare:sockets`, TLS by `startTls()`, SCRAM over WebCrypto. The conninfo is the only source
 * of settings (no `PG*` variables, `.pgpass` or service files); Node streams (`copyTo`,
 * `cursor.stream()`) are refused with a `ConfigError` naming what to use instead
 * (`copyToIterable()`, iterating the cursor). Needs no `nodejs_compat` flag.
 *
 * A Worker's sockets belong to the request that opened them: create a pool in the request
 * (`max: 1` is enough for most), pass the conninfo from a binding (e.g. `env.DATABASE_URL`) and
 * end it with `ctx.waitUntil(pool.end())`.
 * @packageDocumentation
 */

import { bindRuntime, type RuntimeEntry } from './entry.js'
import { workerdRuntime } from './runtime/workerd.js'

const workerd = bindRuntime(workerdRuntime)

/** Opens a session over `cloudflare:sockets` (the conninfo is the only source of settings). */
export const connect = workerd.connect

/** Creates a pool; on Workers, one per request, ended with `ctx.waitUntil(pool.end())`. */
export const createPool = workerd.createPool

/** Creates a cluster from a multi-host conninfo (see the Node entry's `createCluster`). */
export const createCluster = workerd.createCluster

/** The export condition this copy of `@tusk/core` was loaded through: `workerd`. */
export const runtimeEntry: RuntimeEntry = 'workerd'

export * from './public.js'
