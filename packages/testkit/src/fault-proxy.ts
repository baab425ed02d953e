/**
 * A TCP proxy for fault tests: sits between a client and a server on loopback and can stall,
 * cut or corrupt the traffic, or react to what the client sends (e.g. cut right after COMMIT).
 */
import net from 'node:net'

/** What a hook may do with a chunk from the client. */
export type ChunkAction = 'forward' | 'forward-then-cut' | 'cut' | 'drop'

/** A running proxy. */
export interface FaultProxy {
  /** The port clients connect to (on 127.0.0.1). */
  port: number
  /** Connections currently open through the proxy. */
  readonly connections: number
  /** Stop forwarding in both directions (bytes are held) until `resume()`. */
  stall(): void
  /**
   * Stall only the connections open now, for good, as a middlebox that dropped them silently
   * would (no FIN, no RST); new connections flow.
   */
  blackholeOpen(): void
  resume(): void
  /** Destroy every open connection at once, both sides. */
  cutAll(): void
  /** Refuse new connections (existing ones keep working) until `accept()`. */
  refuse(): void
  accept(): void
  /** Look at each client→server chunk and decide its fate. */
  onClientData(hook: ((chunk: Buffer) => ChunkAction) | undefined): void
  /** Replace each server→client chunk (e.g. flip bytes). */
  onServerData(hook: ((chunk: Buffer) => Buffer) | undefined): void
  close(): Promise<void>
}

/** Starts a proxy to `target` on a free loopback port. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>()
  let stalled = false
  let refusing = false
  let clientHook: ((chunk: Buffer) => ChunkAction) | undefined
  let serverHook: ((chunk: Buffer) => Buffer) | undefined

  const proxy = net.createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const server = net.connect(target.port, target.host)
    const pair = { client, server }
    pairs.add(pair)
    const end = (): void => {
      client.destroy()
      server.destroy()
      pairs.delete(pair)
    }
    client.on('error', end)
    server.on('error', end)
    client.on('close', end)
    server.on('close', end)
    client.on('data', (chunk: Buffer) => {
      const action = clientHook?.(chunk) ?? 'forward'
      if (action === 'drop') return
      if (action === 'cut') return end()
      server.write(chunk)
      if (action === 'forward-then-cut') setImmediate(end)
    })
    server.on('data', (chunk: Buffer) => {
      client.write(serverHook ? serverHook(chunk) : chunk)
    })
    if (stalled) {
      client.pause()
      server.pause()
    }
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const port = (proxy.address() as net.AddressInfo).port
  return {
    port,
    get connections() {
      return pairs.size
    },
    stall() {
      stalled = true
      for (const p of pairs) {
        p.client.pause()
        p.server.pause()
      }
    },
    blackholeOpen() {
      for (const p of pairs) {
        p.client.pause()
        p.server.pause()
      }
    },
    resume() {
      stalled = false
      for (const p of pairs) {
        p.client.resume()
        p.server.resume()
      }
    },
    cutAll() {
      for (const p of [...pairs]) {
        p.client.destroy()
        p.server.destroy()
        pairs.delete(p)
      }
    },
    refuse() {
      refusing = true
    },
    accept() {
      refusing = false
    },
    onClientData(hook) {
      clientHook = hook
    },
    onServerData(hook) {
      serverHook = hook
    },
    close() {
      for (const p of [...pairs]) {
        p.client.destroy()
        p.server.destroy()
      }
      pairs.clear()
      return new Promise<void>((resolve) => proxy.close(() => resolve()))
    },
  }
}
