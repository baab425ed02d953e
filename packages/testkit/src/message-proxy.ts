/**
 * A TCP proxy that understands the framing of the PostgreSQL protocol (type byte, int32 length):
 * it counts whole server messages and can cut the link (RST or FIN) or corrupt a byte exactly at
 * the k-th message boundary of an answer, or hold a link silently; and it logs the type of every
 * client message it forwards, so a test can see what the driver sent (a Terminate, a Sync). Use
 * it with `sslmode=disable`: under TLS the framing is not visible.
 */
import net from 'node:net'

/** How a link is cut: a TCP reset, or an orderly close (FIN) toward the client. */
export type CutMode = 'rst' | 'fin'

/** A running message-aware proxy. */
export interface MessageProxy {
  /** The port clients connect to (on 127.0.0.1). */
  readonly port: number
  /** Links currently open through the proxy. */
  readonly connections: number
  /** Whole server messages forwarded since the last `observe`, `cutAfter` or `corruptAt`. */
  readonly seen: number
  /** True once the armed cut or corruption has been applied. */
  readonly fired: boolean
  /**
   * Per link, in the order the links were accepted: the type byte of each whole client message
   * forwarded to the server (`'Q'`, `'P'`, `'S'`, `'X'` for Terminate, ...). The untyped packets
   * that open a link are logged by name: `'startup'`, `'ssl'`, `'gssenc'`, `'cancel'`.
   */
  readonly clientMessages: readonly (readonly string[])[]
  /** Start counting server messages from now, changing nothing. */
  observe(): void
  /**
   * Forward `k` more whole server messages, then cut that link (`k = 0`: cut as soon as the
   * server starts answering, so the request reached it but no byte of the answer did).
   */
  cutAfter(k: number, mode: CutMode): void
  /**
   * Flip (XOR 0xff) byte `offset` (0–4: the header) of the `k`-th server message from now
   * (0-based; offset 0 is the type byte, 1 the high byte of the length). Once; the rest flows.
   */
  corruptAt(k: number, offset?: number): void
  /** Hold every link open now, for good, as a middlebox that dropped it (no FIN, no RST). */
  blackholeOpen(): void
  /** Disarm: forward everything, count nothing new. */
  reset(): void
  close(): Promise<void>
}

/** Names of the untyped opening packets by request code (PostgreSQL docs, "Message Formats"). */
const OPENING_CODES = new Map([
  [80877103, 'ssl'],
  [80877104, 'gssenc'],
  [80877102, 'cancel'],
])

/**
 * Reads a client→server byte stream without changing it and calls `logged` with the name of each
 * whole message: untyped packets (int32 length, int32 code) until the StartupMessage, typed ones
 * (type byte, int32 length) after it.
 */
function clientFraming(logged: (name: string) => void): (chunk: Buffer) => void {
  let opening = true
  const header = Buffer.alloc(8)
  let headerLen = 0
  let bodyLeft = 0
  let name = ''
  return (chunk) => {
    let i = 0
    while (i < chunk.length) {
      const size = opening ? 8 : 5
      if (headerLen < size) {
        const take = Math.min(size - headerLen, chunk.length - i)
        chunk.copy(header, headerLen, i, i + take)
        headerLen += take
        i += take
        if (headerLen < size) return
        if (opening) {
          const code = header.readInt32BE(4)
          name = OPENING_CODES.get(code) ?? 'startup'
          bodyLeft = Math.max(0, header.readInt32BE(0) - 8)
        } else {
          name = String.fromCharCode(header[0]!)
          bodyLeft = Math.max(0, header.readInt32BE(1) - 4)
        }
      }
      const take = Math.min(bodyLeft, chunk.length - i)
      bodyLeft -= take
      i += take
      if (bodyLeft === 0) {
        headerLen = 0
        if (name === 'startup') opening = false
        logged(name)
      }
    }
  }
}

type Armed =
  | { kind: 'none' }
  | { kind: 'observe' }
  | { kind: 'cut'; left: number; mode: CutMode }
  | { kind: 'corrupt'; index: number; offset: number }

/** Starts a message-aware proxy to `target` on a free loopback port. */
export async function startMessageProxy(target: {
  host: string
  port: number
}): Promise<MessageProxy> {
  const links = new Set<{ client: net.Socket; server: net.Socket }>()
  let armed: Armed = { kind: 'none' }
  let seen = 0
  let fired = false
  const clientMessages: string[][] = []

  const proxy = net.createServer((client) => {
    const server = net.connect(target.port, target.host)
    const link = { client, server }
    links.add(link)
    const sent: string[] = []
    clientMessages.push(sent)
    const readClient = clientFraming((name) => sent.push(name))
    let dead = false
    const end = (): void => {
      dead = true
      client.destroy()
      server.destroy()
      links.delete(link)
    }
    const cut = (mode: CutMode): void => {
      dead = true
      links.delete(link)
      server.destroy()
      if (mode === 'rst') client.resetAndDestroy()
      else {
        client.end()
        // The client may keep writing (Terminate) into the half-closed link; it ends on its close.
        client.on('end', () => client.destroy())
      }
    }
    client.on('error', end)
    server.on('error', end)
    client.on('close', end)
    server.on('close', () => {
      if (!dead) end()
    })
    client.on('data', (chunk: Buffer) => {
      if (dead) return
      server.write(chunk)
      readClient(chunk)
    })

    // Framing state of this link's server→client stream.
    const header = Buffer.alloc(5)
    let headerLen = 0
    let bodyLeft = 0
    server.on('data', (input: Buffer) => {
      if (dead) return
      if (armed.kind === 'cut' && armed.left === 0) {
        const { mode } = armed
        armed = { kind: 'none' }
        fired = true
        return cut(mode)
      }
      const chunk = armed.kind === 'corrupt' ? Buffer.from(input) : input
      let i = 0
      while (i < chunk.length) {
        const counting = armed.kind !== 'none'
        if (headerLen < 5) {
          const take = Math.min(5 - headerLen, chunk.length - i)
          const a = armed
          if (a.kind === 'corrupt' && seen === a.index) {
            const at = a.offset - headerLen
            if (at >= 0 && at < take) {
              chunk[i + at]! ^= 0xff
              armed = { kind: 'none' }
              fired = true
            }
          }
          input.copy(header, headerLen, i, i + take)
          headerLen += take
          i += take
          if (headerLen === 5) bodyLeft = Math.max(0, header.readInt32BE(1) - 4)
        } else {
          const take = Math.min(bodyLeft, chunk.length - i)
          bodyLeft -= take
          i += take
        }
        if (headerLen === 5 && bodyLeft === 0) {
          headerLen = 0
          if (counting) {
            seen++
            const a = armed
            if (a.kind === 'cut' && --a.left === 0) {
              armed = { kind: 'none' }
              fired = true
              client.write(chunk.subarray(0, i))
              return cut(a.mode)
            }
          }
        }
      }
      client.write(chunk)
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const port = (proxy.address() as net.AddressInfo).port
  return {
    port,
    get connections() {
      return links.size
    },
    get seen() {
      return seen
    },
    get fired() {
      return fired
    },
    get clientMessages() {
      return clientMessages
    },
    observe() {
      armed = { kind: 'observe' }
      seen = 0
      fired = false
    },
    cutAfter(k, mode) {
      armed = { kind: 'cut', left: k, mode }
      seen = 0
      fired = false
    },
    corruptAt(k, offset = 0) {
      armed = { kind: 'corrupt', index: k, offset }
      seen = 0
      fired = false
    },
    blackholeOpen() {
      for (const l of links) {
        l.client.pause()
        l.server.pause()
      }
    },
    reset() {
      armed = { kind: 'none' }
    },
    close() {
      for (const l of [...links]) {
        l.client.destroy()
        l.server.destroy()
      }
      links.clear()
      return new Promise<void>((resolve) => proxy.close(() => resolve()))
    },
  }
}
