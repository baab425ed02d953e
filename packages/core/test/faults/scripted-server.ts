/**
 * A scripted fake PostgreSQL server for fault tests, speaking through the core's own codec: it
 * reads the client with FrontendDecoder and answers with encodeBackendMessage on a Writer, so a
 * hostile frame is a real message bent in one place (a lying length, an unknown type byte, a
 * cut), never a hand-typed byte string. Listens on loopback only.
 */
import net from 'node:net'
import tls from 'node:tls'
import {
  type BackendMessage,
  encodeBackendMessage,
  FrontendDecoder,
  type FrontendMessage,
  type StartupMessage,
  Writer,
} from '../../src/protocol/index.js'

/** Bytes of one backend message, encoded by the core. */
export function frame(m: BackendMessage): Uint8Array {
  const w = new Writer(64)
  encodeBackendMessage(w, m)
  return w.flush()
}

/** `m` encoded by the core, then its length word overwritten with `length` (a lie). */
export function frameWithLength(m: BackendMessage, length: number): Uint8Array {
  const w = new Writer(64)
  encodeBackendMessage(w, m)
  w.patchInt32(1, length)
  return w.flush()
}

/**
 * A message of `typeByte` whose body `body` writes with the Writer's field primitives: for bodies
 * that contradict themselves (a count with no fields behind it) inside a correct frame.
 */
export function frameOf(typeByte: number, body: (w: Writer) => void): Uint8Array {
  const w = new Writer(64)
  w.startMessage(typeByte, 'scripted')
  body(w)
  w.endMessage()
  return w.flush()
}

/** A well-framed message whose type byte no PostgreSQL version defines. */
export function frameOfUnknownType(
  typeByte: number,
  body: Uint8Array = new Uint8Array(4),
): Uint8Array {
  return frameOf(typeByte, (w) => w.bytes(body))
}

const utf8 = new TextEncoder()

/** A DataRow message of text values (null is SQL NULL). */
export function dataRow(...values: (string | null)[]): BackendMessage {
  return { type: 'DataRow', values: values.map((v) => (v === null ? null : utf8.encode(v))) }
}

/** The messages a trusting server sends after the startup packet: AuthenticationOk to ReadyForQuery. */
export const READY: readonly BackendMessage[] = [
  { type: 'AuthenticationOk' },
  { type: 'ParameterStatus', name: 'client_encoding', value: 'UTF8' },
  { type: 'ParameterStatus', name: 'server_version', value: '18.0' },
  { type: 'BackendKeyData', processId: 4242, secretKey: new Uint8Array([0, 0, 0, 7]) },
  { type: 'ReadyForQuery', status: 'I' },
]

/** The server side of one client connection. */
export interface ScriptedPeer {
  /** The next client message; `undefined` once the client has closed. */
  next(): Promise<FrontendMessage | undefined>
  /** Reads until a message of `type` arrives (earlier ones are dropped); `undefined` on close. */
  expect<T extends FrontendMessage['type']>(
    type: T,
  ): Promise<Extract<FrontendMessage, { type: T }> | undefined>
  /** Reads up to the startup packet, answering each SSLRequest or GSSENCRequest with `N`. */
  startup(): Promise<StartupMessage | undefined>
  /** Encodes and writes messages (one write). Sets how the decoder reads the client's `p` answer. */
  send(...messages: BackendMessage[]): void
  /** Writes bytes as given (frames from `frame`, `frameWithLength`, ...). */
  write(bytes: Uint8Array | string): void
  /** The next chunk the client sends, as raw bytes kept from the decoder (e.g. a TLS hello). */
  takeRaw(): Promise<Buffer | undefined>
  /** Answers an SSLRequest with `S` and serves TLS from here on. */
  acceptTls(key: string | Buffer, cert: string | Buffer): void
  /** Half-closes after writing `bytes` (FIN). */
  end(bytes?: Uint8Array): void
  /** Every byte the client sent in the clear or inside TLS, decrypted, for secret checks. */
  received(): Buffer
  /** Resolves once the client has closed its side (or the socket failed). */
  readonly closed: Promise<void>
}

/** A listening scripted server. */
export interface ScriptedServer {
  port: number
  /** How many clients connected. */
  readonly connections: number
  /**
   * A `key=value` conninfo for this server plus `extra`; `sslmode=disable` and
   * `connect_timeout=10` (a safety net) unless `extra` sets them.
   */
  conninfo(extra?: string): string
  /** Destroys every client socket and stops listening. */
  close(): Promise<void>
}

/** Starts a server on 127.0.0.1 that runs `script` for each client connection. */
export async function startScriptedServer(
  script: (peer: ScriptedPeer) => Promise<void> | void,
): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>()
  let connections = 0
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    const peer = createPeer(socket, sockets)
    Promise.resolve()
      .then(() => script(peer))
      .catch(() => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    get connections() {
      return connections
    },
    conninfo: (extra = '') => {
      const ssl = /\bsslmode=/.test(extra) ? '' : ' sslmode=disable'
      const timeout = /\bconnect_timeout=/.test(extra) ? '' : ' connect_timeout=10'
      return `host=127.0.0.1 port=${port} user=u dbname=d${ssl}${timeout} ${extra}`
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function createPeer(raw: net.Socket, sockets: Set<net.Socket>): ScriptedPeer {
  let socket: net.Socket = raw
  const decoder = new FrontendDecoder()
  const chunks: Buffer[] = []
  const queue: FrontendMessage[] = []
  const waiters: ((m: FrontendMessage | undefined) => void)[] = []
  let ended = false
  let rawTaker: ((chunk: Buffer | undefined) => void) | undefined
  let markClosed!: () => void
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve
  })

  const finish = (): void => {
    if (ended) return
    ended = true
    markClosed()
    rawTaker?.(undefined)
    for (const w of waiters.splice(0)) w(undefined)
  }
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk)
    if (rawTaker) {
      const take = rawTaker
      rawTaker = undefined
      take(chunk)
      return
    }
    try {
      decoder.push(chunk)
      for (let m = decoder.next(); m !== undefined; m = decoder.next()) {
        const waiter = waiters.shift()
        if (waiter) waiter(m)
        else queue.push(m)
      }
    } catch {
      // A client that breaks the protocol ends the script: the test sees the socket close.
      socket.destroy()
      finish()
    }
  }
  const listen = (s: net.Socket): void => {
    s.on('data', onData)
    s.on('error', finish)
    s.on('close', finish)
    s.on('end', finish)
  }
  listen(raw)

  const next = (): Promise<FrontendMessage | undefined> => {
    const m = queue.shift()
    if (m !== undefined) return Promise.resolve(m)
    if (ended) return Promise.resolve(undefined)
    return new Promise((resolve) => waiters.push(resolve))
  }

  const peer: ScriptedPeer = {
    next,
    async expect(type) {
      for (;;) {
        const m = await next()
        if (m === undefined || m.type === type) return m as never
      }
    },
    async startup() {
      for (;;) {
        const m = await next()
        if (m === undefined) return undefined
        if (m.type === 'SSLRequest' || m.type === 'GSSENCRequest') peer.write('N')
        else if (m.type === 'StartupMessage') return m
      }
    },
    send(...messages) {
      const w = new Writer(256)
      for (const m of messages) {
        encodeBackendMessage(w, m)
        if (m.type === 'AuthenticationSASL') decoder.authResponseKind = 'SASLInitialResponse'
        else if (m.type === 'AuthenticationSASLContinue') decoder.authResponseKind = 'SASLResponse'
        else if (
          m.type === 'AuthenticationCleartextPassword' ||
          m.type === 'AuthenticationMD5Password'
        )
          decoder.authResponseKind = 'PasswordMessage'
      }
      peer.write(w.flush())
    },
    takeRaw() {
      if (ended) return Promise.resolve(undefined)
      return new Promise((resolve) => {
        rawTaker = resolve
      })
    },
    write(bytes) {
      if (!socket.destroyed) socket.write(bytes)
    },
    acceptTls(key, cert) {
      // The answer goes out in the clear, alone; everything after it is TLS.
      raw.write('S')
      raw.removeListener('data', onData)
      const secure = new tls.TLSSocket(raw, { isServer: true, key, cert })
      sockets.add(secure)
      socket = secure
      listen(secure)
    },
    end(bytes) {
      if (bytes) socket.end(bytes)
      else socket.end()
    },
    received: () => Buffer.concat(chunks),
    closed,
  }
  return peer
}
