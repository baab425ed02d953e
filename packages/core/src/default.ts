/**
 * @tusk/core's `default` entry, for a runtime or bundler target that matched none of the `node`,
 * `bun`, `deno` and `workerd` export conditions. It loads anywhere (no `node:` import) and exports
 * the same names, so types, errors, `sql` and the type codecs work; `connect`, `createPool` and
 * `createCluster` fail on first use with a `ConfigError` naming the runtime it detected and the
 * entries that can connect.
 * @packageDocumentation
 */

import { bindRuntime, type RuntimeEntry } from './entry.js'
import { defaultRuntime } from './runtime/default.js'

const fallback = bindRuntime(defaultRuntime)

/** Rejects with a `ConfigError`: this entry has no sockets (see the Node entry's `connect`). */
export const connect = fallback.connect

/** A pool whose every checkout rejects with a `ConfigError`: this entry has no sockets. */
export const createPool = fallback.createPool

/** A cluster whose every query rejects with a `ConfigError`: this entry has no sockets. */
export const createCluster = fallback.createCluster

/** The export condition this copy of `@tusk/core` was loaded through: `default`. */
export const runtimeEntry: RuntimeEntry = 'default'

export * from './public.js'
