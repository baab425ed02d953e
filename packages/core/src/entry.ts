// What each package entry adds to the shared API (`public.ts`): `connect`, `createPool` and
// `createCluster` bound to the entry's runtime. One helper, so that the five entries (`index.ts`
// for Node, `bun.ts`, `deno.ts`, `workerd.ts`, `default.ts`) differ only in the runtime they bind.
import { type Cluster, type ClusterOptions, createClusterOn } from './cluster/cluster.js'
import type { ConnectOptions } from './connection/connect.js'
import type { ConnectionOptions } from './conninfo/index.js'
import type { PoolOptions } from './pool/options.js'
import { createPoolOn, type Pool } from './pool/pool.js'
import type { OnlyKnownKeys } from './public.js'
import type { Runtime } from './runtime/runtime.js'
import { openSession } from './session/connect.js'
import type { Session } from './session/session.js'

/**
 * The export condition of `@tusk/core` that was resolved, as `runtimeEntry` reports it: `node`,
 * `bun`, `deno`, `workerd` (Cloudflare Workers), or `default` (any other runtime or bundler
 * target; it cannot connect).
 */
export type RuntimeEntry = 'node' | 'bun' | 'deno' | 'workerd' | 'default'

/** The entry points of one runtime, each calling `runtime()` per session, pool or cluster. */
export function bindRuntime(runtime: () => Runtime) {
  return {
    connect<O extends ConnectOptions = ConnectOptions>(
      conninfo?: string | ConnectionOptions,
      options?: OnlyKnownKeys<O, ConnectOptions>,
    ): Promise<Session> {
      return openSession(conninfo, options ?? {}, runtime)
    },
    createPool<O extends PoolOptions = PoolOptions>(
      conninfo?: string | ConnectionOptions,
      options?: OnlyKnownKeys<O, PoolOptions>,
    ): Pool {
      return createPoolOn(conninfo, options ?? {}, runtime)
    },
    createCluster(conninfo?: string | ConnectionOptions, options?: ClusterOptions): Cluster {
      return createClusterOn(conninfo, options ?? {}, runtime)
    },
  }
}
