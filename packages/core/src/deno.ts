/**
 * @tusk/core for Deno (the `deno` export condition): the same API as the Node entry, bound to the
 * runtime over `node:` modules (node:net, node:tls, node:crypto, node:fs, the process
 * environment) through Deno's Node compatibility, which is what packages/runtimes tests on Deno; it
 * differs from the Node entry only in naming `deno` in messages and in `runtimeEntry`.
 * @packageDocumentation
 */

import { bindRuntime, type RuntimeEntry } from './entry.js'
import { nodeApiRuntime } from './runtime/node.js'

const deno = bindRuntime(nodeApiRuntime('deno'))

/** Opens a session (see the Node entry's `connect`). */
export const connect = deno.connect

/** Creates a pool (see the Node entry's `createPool`). */
export const createPool = deno.createPool

/** Creates a cluster from a multi-host conninfo (see the Node entry's `createCluster`). */
export const createCluster = deno.createCluster

/** The export condition this copy of `@tusk/core` was loaded through: `deno`. */
export const runtimeEntry: RuntimeEntry = 'deno'

export * from './public.js'
