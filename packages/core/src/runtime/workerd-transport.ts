/**
 * The Cloudflare Workers implementation of the transport: TCP over `connect()` from
 * `cloudflare:sockets`, opened with `secureTransport: 'starttls'` so that `startTls()` upgrades it
 * after the server's `S`. The only file of the Workers runtime that touches sockets.
 *
 * What the platform decides, not the driver: every TLS session verifies the server's chain
 * against the runtime's trust store and its name against the host (there is no option for a
 * private CA, a client certificate, CRLs, ALPN or TLS versions, and no peer certificate to read,
 * so no SCRAM channel binding); Unix-domain sockets do not exist.
 */
import { connect, type Socket } from 'cloudflare:sockets'
import { ConfigError } from '../errors/client.js'
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

/** Bytes queued in the socket's writable before `write` asks the caller to wait for `drain`. */
const HIGH_WATER_MARK = 64 * 1024

/** The runtime's name in error messages. */
export const WORKERD = 'Cloudflare Workers (workerd)'

function asError(err: unknown): SysError {
  return err instanceof Error ? err : new Error(String(err))
}

class WorkerdTransport implements Transport {
  #socket: Socket
  #reader: ReadableStreamDefaultReader<Uint8Array>
  #writer: WritableStreamDefaultWriter<Uint8Array>
  #handlers: TransportHandlers = { data: noop, close: noop, drain: noop }
  /** Bumped on upgrade and close: a read loop of an older generation stops silently. */
  #generation = 0
  #closed = false
  #paused = false
  #resume: (() => void) | undefined
  #queued = 0
  #waitingForDrain = false
  #written = 0
  /** Upgraded, and no byte has come back yet: a failure now is the handshake's. */
  #handshaking = false
  readonly peer: string

  constructor(socket: Socket, peer: string) {
    this.#socket = socket
    this.peer = peer
    this.#reader = socket.readable.getReader()
    this.#writer = socket.writable.getWriter()
    void this.#read(this.#reader, this.#generation)
  }

  get bytesWritten(): number {
    return this.#written
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>, generation: number): Promise<void> {
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => (this.#resume = resolve))
        if (generation !== this.#generation) return
        const { done, value } = await reader.read()
        if (generation !== this.#generation) return
        if (done) break
        if (value.byteLength > 0) {
          this.#handshaking = false
          this.#handlers.data(value)
        }
      }
      this.#socket.close().catch(noop)
      this.#finish()
    } catch (err) {
      if (generation === this.#generation) this.#finish(this.#explain(asError(err)))
    }
  }

  /**
   * workerd settles `opened` of an upgraded socket before the handshake and reports a failed
   * handshake (an untrusted or mismatched certificate) only as an opaque "internal error" on the
   * first read: say what it most likely was.
   */
  #explain(error: SysError): SysError {
    if (!this.#handshaking) return error
    const explained: SysError = new Error(
      `TLS handshake failed (${WORKERD} verifies the server certificate against its trusted roots and the host name, and does not say why it failed): ${error.message}`,
      { cause: error },
    )
    explained.code = 'ERR_TLS_HANDSHAKE'
    return explained
  }

  #finish(error?: SysError): void {
    if (this.#closed) return
    this.#closed = true
    this.#generation++
    this.#resume?.()
    this.#handlers.close(error)
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed) return false
    // The caller reuses its buffer: the socket gets a copy.
    const copy = chunk.slice()
    this.#written += copy.byteLength
    this.#queued += copy.byteLength
    this.#writer.write(copy).then(
      () => {
        this.#queued -= copy.byteLength
        if (this.#waitingForDrain && this.#queued < HIGH_WATER_MARK) {
          this.#waitingForDrain = false
          this.#handlers.drain()
        }
      },
      (err) => this.#fail(asError(err)),
    )
    if (this.#queued < HIGH_WATER_MARK) return true
    this.#waitingForDrain = true
    return false
  }

  #fail(error: SysError): void {
    if (this.#closed) return
    this.#socket.close().catch(noop)
    this.#finish(this.#explain(error))
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    const resume = this.#resume
    this.#resume = undefined
    resume?.()
  }

  end(): void {
    if (this.#closed) return
    // Half-close after what is queued has been written (the writer's queue is in order), and
    // keep reading until the server closes its side: `close` then means the server is done with
    // the link. A CancelRequest relies on it — the server closes the cancel socket only once it
    // has signalled the backend, and no new request may be written before that, or a late
    // cancel would hit it. The socket is closed when the read loop sees the end.
    this.#writer.close().catch(() => this.#socket.close().catch(noop))
  }

  destroy(): void {
    if (this.#closed) return
    this.#socket.close().catch(noop)
    this.#finish()
  }

  /** A Worker's sockets never keep anything alive past its request: nothing to do. */
  unref(): void {}

  ref(): void {}

  async startTls(options: TlsOptions): Promise<TlsSession> {
    const unsupported = unsupportedTlsOption(options)
    if (unsupported !== undefined) {
      throw new ConfigError(`${unsupported} cannot be used on ${WORKERD}: ${TLS_LIMITS}`, {
        parameter: unsupported,
      })
    }
    if (options.signal?.aborted) throw options.signal.reason
    // The caller paused reading after the server's `S`, so no read is pending on the plain
    // streams; they are handed back to the socket, and a new generation reads the secure one.
    this.#generation++
    this.#resume?.()
    this.#reader.releaseLock()
    this.#writer.releaseLock()
    // workerd checks the certificate against the host given to connect() (it takes no other name).
    const secure = this.#socket.startTls()
    let onAbort: (() => void) | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        onAbort = () => {
          secure.close().catch(noop)
          reject(options.signal?.reason ?? new Error('aborted'))
        }
        options.signal?.addEventListener('abort', onAbort, { once: true })
        secure.opened.then(() => resolve(), reject)
      })
    } finally {
      if (onAbort) options.signal?.removeEventListener('abort', onAbort)
    }
    this.#socket = secure
    this.#handshaking = true
    this.#paused = false
    this.#resume = undefined
    this.#reader = secure.readable.getReader()
    this.#writer = secure.writable.getWriter()
    void this.#read(this.#reader, this.#generation)
    return {
      protocol: 'TLS',
      cipher: 'unknown',
      peerCertificate: undefined,
      // workerd always verifies the chain and the name; a failure rejects `opened`.
      verified: true,
    }
  }
}

const TLS_LIMITS =
  'its sockets verify the server against the runtime’s trusted roots and offer no private CA, client certificate, CRL, ALPN or TLS-version settings'

/** The libpq parameter behind a TLS option the platform cannot honour, if any. */
function unsupportedTlsOption(options: TlsOptions): string | undefined {
  if (options.ca !== undefined) return 'sslrootcert'
  if (options.cert !== undefined || options.key !== undefined) return 'sslcert'
  if (options.crl !== undefined) return 'sslcrl'
  if (options.alpn !== undefined) return 'sslnegotiation'
  // Its TLS is 1.2 or 1.3: a floor at or below 1.2 always holds.
  if (
    options.minVersion !== undefined &&
    !['TLSv1', 'TLSv1.1', 'TLSv1.2'].includes(options.minVersion)
  )
    return 'ssl_min_protocol_version'
  if (options.maxVersion !== undefined) return 'ssl_max_protocol_version'
  return undefined
}

/** Opens TCP transports with `connect()` from `cloudflare:sockets`. */
export const workerdTransport: TransportFactory = {
  async connect(target: TransportTarget, options: TransportOptions): Promise<Transport> {
    if (target.kind === 'unix') {
      throw new ConfigError(
        `${WORKERD} has no Unix-domain sockets: cannot connect to ${target.path}; give a TCP host`,
        { parameter: 'host' },
      )
    }
    if (options.signal?.aborted) throw options.signal.reason
    const peer = formatHostPort(target.host, target.port)
    const socket = connect(
      { hostname: target.host, port: target.port },
      { secureTransport: 'starttls', allowHalfOpen: false },
    )
    let onAbort: (() => void) | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        onAbort = () => {
          socket.close().catch(noop)
          reject(options.signal?.reason ?? new Error('aborted'))
        }
        options.signal?.addEventListener('abort', onAbort, { once: true })
        socket.opened.then(() => resolve(), reject)
      })
    } finally {
      if (onAbort) options.signal?.removeEventListener('abort', onAbort)
    }
    return new WorkerdTransport(socket, peer)
  },
}
