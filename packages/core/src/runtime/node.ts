/**
 * The runtime over Node's built-in modules, bound by the package entries of Node, Bun and Deno:
 * node:net/node:tls transports, node:crypto, the process environment and node:fs reads. Bun and
 * Deno run it through their Node compatibility (`node:` modules), which is what their tests
 * exercise. Nothing below the entries imports this file.
 */
import { getHeapStatistics } from 'node:v8'
import { nodeCrypto } from './node-crypto.js'
import { nodeResolveContext, readBytes } from './node-environment.js'
import { nodeCompatTransport, nodeTransport } from './node-transport.js'
import type { Runtime } from './runtime.js'

/**
 * The runtime over `node:` modules, named `name` in messages; the environment is read per call
 * (per connect or pool).
 */
export function nodeApiRuntime(name: 'node' | 'bun' | 'deno'): () => Runtime {
  return () => ({
    name,
    transport: name === 'node' ? nodeTransport : nodeCompatTransport,
    crypto: nodeCrypto,
    context: nodeResolveContext(),
    readBytes,
    heapLimit: () => getHeapStatistics().heap_size_limit,
  })
}

/** Node's runtime, with the environment read now (called per connect or pool). */
export const nodeRuntime: () => Runtime = nodeApiRuntime('node')
