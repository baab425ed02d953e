/**
 * The Node transport with its writes counted: the connection writes once per flush, so a client
 * that waits for each answer makes one write per round trip.
 */
import { nodeTransport } from '../../src/runtime/node-transport.js'
import type { TransportFactory } from '../../src/runtime/transport.js'

/** A transport factory (`runtime: { transport }`) and the writes its connections made so far. */
export interface CountingTransport {
  readonly transport: TransportFactory
  writes: number
}

/** A transport counting the writes of every connection it opens (set `writes = 0` to restart). */
export function countingTransport(): CountingTransport {
  const counter: CountingTransport = {
    writes: 0,
    transport: {
      async connect(target, options) {
        const t = await nodeTransport.connect(target, options)
        const write = t.write.bind(t)
        t.write = (chunk) => {
          counter.writes++
          return write(chunk)
        }
        return t
      },
    },
  }
  return counter
}
