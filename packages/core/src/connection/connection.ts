/**
 * One server session: the message pump, the FIFO of pending requests, parameter status, notices,
 * notifications and the state machine. Built by `connect()`; touches I/O only through a Transport.
 */
import type { ErrorPhase, ServerErrorFields, TuskError } from '../errors/base.js'
import { attachCallSite, captureCallSite } from '../errors/call-site.js'
import { ConnectionClosed, ConnectionLost, ProtocolError } from '../errors/client.js'
import { fromServerError } from '../errors/server-error.js'
import type { BackendMessage, TransactionStatus } from '../protocol/backend.js'
import { BackendDecoder } from '../protocol/decoder.js'
import { encodeCopyFail, encodeQuery, encodeSync, TERMINATE_FRAME } from '../protocol/frontend.js'
import { Writer } from '../protocol/writer.js'
import type { TlsSession, Transport } from '../runtime/transport.js'
import type { Operation } from './operation.js'
import { SimpleQueryOperation, type SimpleQueryResult } from './simple-query.js'

/** Where a connection stands. */
export type ConnectionState =
  | 'connecting'
  | 'idle'
  | 'busy'
  | 'in-transaction'
  | 'in-failed-transaction'
  | 'closed'

/** A notice (or warning) the server sent; same fields as an error. */
export interface Notice extends ServerErrorFields {
  message: string
}

/** A NOTIFY delivered to a channel this session listens on. */
export interface Notification {
  processId: number
  channel: string
  payload: string
}

/** How the session authenticated. */
export type AuthenticationMethod =
  | 'none'
  | 'password'
  | 'md5'
  | 'scram-sha-256'
  | 'scram-sha-256-plus'
  | 'cert'

/** Hooks a connection calls; none of them may throw (a throw is caught and ignored). */
export interface ConnectionHooks {
  /** A NoticeResponse arrived (default: ignored). */
  onNotice?: (notice: Notice) => void
  /** A NotificationResponse arrived. */
  onNotification?: (notification: Notification) => void
  /** The connection closed; `error` says why when it was not a `close()`/`destroy()`. */
  onClose?: (error: TuskError | undefined) => void
}

/** Facts fixed at connect time. */
export interface ConnectionDetails {
  /** `host:port` or socket path of the server this session talks to. */
  host: string
  user: string
  database: string
  /** The TLS session, or null on a plain or Unix-socket connection. */
  tls: TlsSession | null
  authMethod: AuthenticationMethod
  /** Negotiated protocol version, `3.0` or `3.2`. */
  protocolVersion: string
}

/** Internal: what `connect()` hands to the constructor. */
export interface ConnectionInit {
  transport: Transport
  host: string
  maxMessageSize?: number
  hooks?: ConnectionHooks
}

const SEVERE = new Set(['FATAL', 'PANIC'])
const CLOSE_TIMEOUT_MS = 5_000

/**
 * A connection to one PostgreSQL server session. Requests are queued FIFO and written without
 * waiting for earlier answers; each request gets the backend messages up to its ReadyForQuery.
 * Failures go to whoever awaits: nothing here emits an unhandled `error` event.
 */
export class Connection {
  readonly #transport: Transport
  readonly #decoder: BackendDecoder
  readonly #writer = new Writer()
  readonly #ops: Operation[] = []
  readonly #parameters = new Map<string, string>()
  readonly #hooks: ConnectionHooks
  #txStatus: TransactionStatus = 'I'
  #ready = false
  #closed = false
  #closeReason: TuskError | undefined
  #fatal: TuskError | undefined
  #flushScheduled = false
  #rawHandler: ((chunk: Uint8Array) => void) | undefined
  #closeWaiters: (() => void)[] = []
  /** @internal Set by connect() once startup completes. */
  details!: ConnectionDetails
  /** @internal Process ID and secret key for CancelRequest. */
  backendKey: { processId: number; secretKey: Uint8Array } | undefined
  /** @internal Set by connect(): sends a CancelRequest for this session. */
  cancelRequest: (() => Promise<void>) | undefined

  /** @internal Use `connect()`. */
  constructor(init: ConnectionInit) {
    this.#transport = init.transport
    this.#hooks = { ...init.hooks }
    this.#decoder = new BackendDecoder(
      init.maxMessageSize === undefined ? {} : { maxMessageSize: init.maxMessageSize },
    )
    this.#transport.setHandlers({
      data: (chunk) => this.#onData(chunk),
      close: (err) => this.#onTransportClose(err),
      drain: () => {},
    })
  }

  /** `host:port` (or socket path) of the server. */
  get host(): string {
    return this.details?.host ?? this.#transport.peer
  }

  /** Server-reported run-time parameters (`server_version`, `TimeZone`, ...), kept current. */
  get parameters(): ReadonlyMap<string, string> {
    return this.#parameters
  }

  /** The server's `server_version`, e.g. `18.4`. */
  get serverVersion(): string {
    return this.#parameters.get('server_version') ?? ''
  }

  /** Backend process ID (what `pg_backend_pid()` returns). */
  get processId(): number {
    return this.backendKey?.processId ?? 0
  }

  /** Transaction status from the last ReadyForQuery: `I` idle, `T` in a block, `E` failed block. */
  get transactionStatus(): TransactionStatus {
    return this.#txStatus
  }

  /** Where the connection stands. */
  get state(): ConnectionState {
    if (this.#closed) return 'closed'
    if (!this.#ready) return 'connecting'
    if (this.#ops.length > 0) return 'busy'
    if (this.#txStatus === 'T') return 'in-transaction'
    if (this.#txStatus === 'E') return 'in-failed-transaction'
    return 'idle'
  }

  /** True once closed or lost; a closed connection refuses new work. */
  get closed(): boolean {
    return this.#closed
  }

  /** Why the connection closed, when it was not closed on purpose. */
  get closeReason(): TuskError | undefined {
    return this.#closeReason
  }

  /**
   * Runs `sql` through the simple-query protocol: one or many statements, text values, one result
   * per statement. Parameters are not supported here (the extended protocol is `query`).
   */
  simpleQuery(sql: string): Promise<SimpleQueryResult[]> {
    const site = captureCallSite()
    return new Promise<SimpleQueryResult[]>((resolve, reject) => {
      const op = new SimpleQueryOperation(
        sql,
        { host: this.host, refuseCopyIn: (message) => this.#refuseCopyIn(message) },
        resolve,
        (err) => reject(attachCallSite(err, site)),
      )
      this.#enqueue(op, (w) => encodeQuery(w, sql))
    })
  }

  /**
   * Asks the server to cancel what this session is running, over a new socket (PostgreSQL's
   * CancelRequest). Best effort: the statement may finish first; its request then succeeds.
   */
  async cancel(): Promise<void> {
    if (!this.cancelRequest)
      throw new ConnectionClosed('connection is not ready, nothing to cancel')
    await this.cancelRequest()
  }

  /** Closes gracefully: waits for pending requests, sends Terminate, ends the socket. */
  async close(): Promise<void> {
    if (this.#closed) return
    while (this.#ops.length > 0 && !this.#closed) {
      await new Promise<void>((r) => this.#closeWaiters.push(r))
    }
    if (this.#closed) return
    this.#closed = true
    const gone = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#transport.destroy()
        resolve()
      }, CLOSE_TIMEOUT_MS)
      this.#afterClose = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.#transport.write(TERMINATE_FRAME)
    this.#transport.end()
    await gone
  }

  /** Closes at once without waiting; pending requests fail with ConnectionClosed. */
  destroy(): void {
    if (this.#closed && !this.#afterClose) return
    const wasClosed = this.#closed
    this.#closed = true
    this.#transport.destroy()
    if (!wasClosed) {
      this.#failAll(
        () =>
          new ConnectionClosed('connection destroyed while the request was pending', {
            host: this.host,
            phase: 'close',
          }),
      )
    }
  }

  #afterClose: (() => void) | undefined

  // ---- internal API for connect() and later layers ----

  /** @internal Queue a request: `encode` appends its messages; they are written this turn. */
  enqueue(op: Operation, encode: (w: Writer) => void): void {
    this.#enqueue(op, encode)
  }

  /** @internal Write bytes at once (startup and auth messages). */
  writeNow(encode: (w: Writer) => void): void {
    encode(this.#writer)
    this.#transport.write(this.#writer.flush())
  }

  /** @internal Receive the next raw chunk instead of decoding it (SSLRequest answer). */
  readRaw(): Promise<Uint8Array> {
    return new Promise((resolve) => {
      this.#rawHandler = (chunk) => {
        this.#rawHandler = undefined
        resolve(chunk)
      }
    })
  }

  /** @internal Mark startup complete. */
  markReady(details: ConnectionDetails): void {
    this.details = details
    this.#ready = true
  }

  /** @internal The transport, for the TLS upgrade during connect. */
  get transport(): Transport {
    return this.#transport
  }

  /** @internal Fail the connection from outside (timeouts, aborts during connect). */
  fail(message: string, cause?: unknown): void {
    this.#shutdown(message, cause)
  }

  #enqueue(op: Operation, encode: (w: Writer) => void): void {
    if (this.#closed) {
      const reason = this.#closeReason
      throw new ConnectionClosed(
        reason
          ? `connection to ${this.host} is closed: ${reason.message}`
          : `connection to ${this.host} is closed`,
        {
          host: this.host,
          phase: 'query',
          safeToRetry: true,
          ...(reason ? { cause: reason } : {}),
          ...(op.query !== undefined ? { query: op.query } : {}),
        },
      )
    }
    encode(this.#writer)
    this.#ops.push(op)
    op.sent = true
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flush())
    }
  }

  #flush(): void {
    this.#flushScheduled = false
    if (this.#writer.length === 0 || this.#closed) return
    this.#transport.write(this.#writer.flush())
  }

  #refuseCopyIn(message: string): void {
    encodeCopyFail(this.#writer, message)
    encodeSync(this.#writer)
    this.#flush()
  }

  #onData(chunk: Uint8Array): void {
    if (this.#rawHandler) {
      this.#rawHandler(chunk)
      return
    }
    try {
      this.#decoder.push(chunk)
      for (let m = this.#decoder.next(); m !== undefined; m = this.#decoder.next()) {
        this.#dispatch(m)
        if (this.#closed && this.#ops.length === 0) break
      }
    } catch (err) {
      const error =
        err instanceof ProtocolError
          ? err
          : new ProtocolError(`failed to process a server message: ${(err as Error).message}`, {
              cause: err,
            })
      error.host ??= this.host
      this.#shutdown(`connection to ${this.host} lost: ${error.message}`, error)
    }
  }

  #dispatch(m: BackendMessage): void {
    switch (m.type) {
      case 'ParameterStatus':
        this.#parameters.set(m.name, m.value)
        return
      case 'NoticeResponse':
        this.#call(() => this.#hooks.onNotice?.({ ...m.fields, message: m.fields.message ?? '' }))
        return
      case 'NotificationResponse':
        this.#call(() =>
          this.#hooks.onNotification?.({
            processId: m.processId,
            channel: m.channel,
            payload: m.payload,
          }),
        )
        return
      case 'ErrorResponse':
        if (SEVERE.has(m.fields.severityNonLocalized ?? m.fields.severity ?? '') && this.#ready) {
          this.#fatal = fromServerError(m.fields, {
            host: this.host,
            phase: this.#ops.length ? 'query' : 'idle',
          })
        }
        break
      case 'ReadyForQuery':
        this.#txStatus = m.status
        break
    }
    const op = this.#ops[0]
    if (!op) {
      if (m.type === 'ErrorResponse') return
      throw new ProtocolError(`server sent ${m.type} while no request was pending`, {
        messageType: m.type,
      })
    }
    if (op.handle(m)) {
      this.#ops.shift()
      if (this.#ops.length === 0) this.#wakeCloseWaiters()
    }
  }

  #wakeCloseWaiters(): void {
    const waiters = this.#closeWaiters
    this.#closeWaiters = []
    for (const w of waiters) w()
  }

  #call(fn: () => void): void {
    try {
      fn()
    } catch {}
  }

  #onTransportClose(err: (Error & { code?: string }) | undefined): void {
    if (this.#afterClose) {
      const done = this.#afterClose
      this.#afterClose = undefined
      this.#failAll(
        () => new ConnectionClosed('connection closed', { host: this.host, phase: 'close' }),
      )
      this.#wakeCloseWaiters()
      this.#call(() => this.#hooks.onClose?.(undefined))
      done()
      return
    }
    if (this.#closed) return
    const fatal = this.#fatal
    const code = (fatal as { code?: string } | undefined)?.code
    const why = fatal
      ? `${fatal.message}${code ? ` (${code})` : ''}`
      : err
        ? `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`
        : 'the server closed the connection unexpectedly'
    this.#shutdown(`connection to ${this.host} lost: ${why}`, fatal ?? err, err?.code)
  }

  /**
   * Marks the connection closed and fails every pending request with its own ConnectionLost
   * (cause: the socket error, the server's FATAL error or the ProtocolError).
   */
  #shutdown(message: string, cause: unknown, errno?: string): void {
    if (this.#closed && this.#closeReason) return
    const first = !this.#closed
    this.#closed = true
    const make = (phase: ErrorPhase, op?: Operation): ConnectionLost =>
      new ConnectionLost(message, {
        host: this.host,
        phase,
        ...(errno ? { errno } : {}),
        ...(cause !== undefined ? { cause } : {}),
        ...(op?.query !== undefined ? { query: op.query } : {}),
        inDoubt: op?.sent ?? false,
        safeToRetry: op ? !op.sent : false,
      })
    const phase: ErrorPhase = !this.#ready ? 'connect' : this.#ops.length ? 'query' : 'idle'
    this.#closeReason = make(phase)
    this.#transport.destroy()
    this.#failAll((op) => make(this.#ready ? 'query' : 'connect', op))
    this.#wakeCloseWaiters()
    if (first) this.#call(() => this.#hooks.onClose?.(this.#closeReason))
  }

  #failAll(make: (op: Operation) => TuskError): void {
    const ops = this.#ops.splice(0)
    for (const op of ops) op.fail(make(op))
  }
}
