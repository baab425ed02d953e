/**
 * @tusk/core for Bun (the `bun` export condition): the same API as the Node entry, bound to the
 * runtime over `node:` modules (node:net, node:tls, node:crypto, node:fs, the process
 * environment) through Bun's Node compatibility, which is what packages/runtimes tests on Bun; it
 * differs from the Node entry only in naming `bun` in messages and in `runtimeEntry`.
 * @packageDocumentation
 */

import { bindRuntime, type RuntimeEntry } from './entry.js'
import { nodeApiRuntime } from './runtime/node.js'

const bun = bindRuntime(nodeApiRuntime('bun'))

/** Opens a session (see the Node entry's `connect`). */
export const connect = bun.connect

/** Creates a pool (see the Node entry's `createPool`). */
export const createPool = bun.createPool

/** Creates a cluster from a multi-host conninfo (see the Node entry's `createCluster`). */
export const createCluster = bun.createCluster

/** The export condition this copy of `@tusk/core` was loaded through: `bun`. */
export const runtimeEntry: RuntimeEntry = 'bun'

export * from './public.js'
