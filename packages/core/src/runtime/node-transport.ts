/**
 * The Node implementation of the transport: node:net for TCP and Unix sockets, node:tls for
 * the upgrade. The only file of the driver that touches sockets.
 */
import net from 'node:net'
import tls from 'node:tls'
import {
  formatHostPort,
  type TlsOptions,
  type TlsSession,
  type Transport,
  type TransportFactory,
  type TransportHandlers,
  type TransportOptions,
  type TransportTarget,
} from './transport.js'

type SysError = Error & { code?: string }

const noop = (): void => {}

/** Bytes a plain socket reads at most at once (Node's own read size), into one reused buffer. */
const READ_BUFFER_SIZE = 64 * 1024

class NodeTransport implements Transport {
  #socket: net.Socket
  #handlers: TransportHandlers = { data: noop, close: noop, drain: noop }
  #closed = false
  #bytesBeforeTls = 0
  readonly peer: string

  /** `readsIntoBuffer`: the socket was opened with `onread` and delivers through `received`. */
  constructor(socket: net.Socket, peer: string, readsIntoBuffer: boolean) {
    this.#socket = socket
    this.peer = peer
    this.#attach(socket, readsIntoBuffer)
  }

  /** Bytes the plain socket read into its reused buffer (its `onread` callback). */
  received(chunk: Uint8Array): void {
    this.#handlers.data(chunk)
  }

  #attach(socket: net.Socket, readsIntoBuffer: boolean): void {
    if (!readsIntoBuffer) socket.on('data', (chunk: Buffer) => this.#handlers.data(chunk))
    socket.on('drain', () => this.#handlers.drain())
    let error: SysError | undefined
    socket.on('error', (err: SysError) => {
      error = err
    })
    socket.on('close', () => {
      if (this.#socket !== socket || this.#closed) return
      this.#closed = true
      this.#handlers.close(error)
    })
  }

  get bytesWritten(): number {
    return this.#bytesBeforeTls + this.#socket.bytesWritten
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers
  }

  write(chunk: Uint8Array): boolean {
    return this.#socket.write(chunk)
  }

  pause(): void {
    this.#socket.pause()
  }

  resume(): void {
    this.#socket.resume()
  }

  end(): void {
    this.#socket.end()
  }

  destroy(): void {
    this.#socket.destroy()
  }

  unref(): void {
    this.#socket.unref()
  }

  ref(): void {
    this.#socket.ref()
  }

  startTls(options: TlsOptions): Promise<TlsSession> {
    const plain = this.#socket
    plain.removeAllListeners('data')
    plain.pause()
    return new Promise<TlsSession>((resolve, reject) => {
      const secure = tls.connect({
        socket: plain,
        ...(options.servername ? { servername: options.servername } : {}),
        ...(options.ca !== undefined ? { ca: toPem(options.ca) } : {}),
        ...(options.cert !== undefined ? { cert: toPem(options.cert) } : {}),
        ...(options.key !== undefined ? { key: toPem(options.key) } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
        ...(options.minVersion ? { minVersion: options.minVersion as tls.SecureVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion as tls.SecureVersion } : {}),
        ...(options.crl !== undefined ? { crl: toPem(options.crl) } : {}),
        rejectUnauthorized: options.verifyChain,
        checkServerIdentity: (host, cert) =>
          options.verifyHost ? tls.checkServerIdentity(options.checkHost ?? host, cert) : undefined,
      })
      const onAbort = (): void => {
        secure.destroy()
        reject(options.signal?.reason ?? new Error('aborted'))
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      const fail = (err: SysError): void => {
        options.signal?.removeEventListener('abort', onAbort)
        secure.destroy()
        reject(err)
      }
      secure.once('error', fail)
      secure.once('secureConnect', () => {
        options.signal?.removeEventListener('abort', onAbort)
        secure.off('error', fail)
        const cert = secure.getPeerX509Certificate()
        this.#bytesBeforeTls += plain.bytesWritten
        this.#socket = secure
        this.#attach(secure, false)
        resolve({
          protocol: secure.getProtocol() ?? 'unknown',
          cipher: secure.getCipher()?.name ?? 'unknown',
          peerCertificate: cert ? new Uint8Array(cert.raw) : undefined,
          verified: options.verifyChain && secure.authorized,
        })
      })
    })
  }
}

function toPem(v: string | Uint8Array): string | Buffer {
  return typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

/**
 * Opens TCP and Unix-socket transports with node:net. With `reuseReadBuffer`, each plain socket
 * reads into one buffer of its own through node:net's `onread` (no allocation and no stream
 * event per read); TLS sockets deliver chunks as `data` events either way.
 */
function nodeTransportFactory(reuseReadBuffer: boolean): TransportFactory {
  return { connect: (target, options) => connectNode(target, options, reuseReadBuffer) }
}

/** node:net's sockets, each reading into its own reused buffer: Node's transport. */
export const nodeTransport: TransportFactory = nodeTransportFactory(true)

/**
 * node:net's sockets delivering `data` events: for runtimes whose Node compatibility may not
 * implement `onread` (Bun, Deno).
 */
export const nodeCompatTransport: TransportFactory = nodeTransportFactory(false)

/** Connects one socket; resolves once it is connected. */
function connectNode(
  target: TransportTarget,
  options: TransportOptions,
  reuseReadBuffer: boolean,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let transport: NodeTransport | undefined
    const onread = reuseReadBuffer
      ? {
          buffer: Buffer.allocUnsafeSlow(READ_BUFFER_SIZE),
          callback: (n: number, buf: Uint8Array): boolean => {
            transport?.received(buf.subarray(0, n))
            return true
          },
        }
      : undefined
    const socket =
      target.kind === 'unix'
        ? net.connect({ path: target.path, ...(onread ? { onread } : {}) })
        : net.connect({ host: target.host, port: target.port, ...(onread ? { onread } : {}) })
    const peer = target.kind === 'unix' ? target.path : formatHostPort(target.host, target.port)
    const onAbort = (): void => {
      socket.destroy()
      reject(options.signal?.reason ?? new Error('aborted'))
    }
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort)
      reject(err)
    })
    socket.once('connect', () => {
      options.signal?.removeEventListener('abort', onAbort)
      socket.removeAllListeners('error')
      socket.setNoDelay(true)
      if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveIdleMs ?? 0)
      transport = new NodeTransport(socket, peer, onread !== undefined)
      resolve(transport)
    })
  })
}
