/**
 * Node's runtime, bound by the package entry: node:net/node:tls transports, node:crypto,
 * the process environment and node:fs reads. Nothing below the entry imports this file.
 */
import { getHeapStatistics } from 'node:v8'
import { nodeCrypto } from './node-crypto.js'
import { nodeResolveContext, readBytes } from './node-environment.js'
import { nodeTransport } from './node-transport.js'
import type { Runtime } from './runtime.js'

/** Node's runtime, with the environment read now (called per connect or pool). */
export function nodeRuntime(): Runtime {
  return {
    transport: nodeTransport,
    crypto: nodeCrypto,
    context: nodeResolveContext(),
    readBytes,
    heapLimit: () => getHeapStatistics().heap_size_limit,
  }
}
