/**
 * The request pump of one server connection: the transport, the FIFO of pending requests (each
 * gets the backend messages up to its ReadyForQuery), barriers for COPY, parameter status,
 * notices, notifications, cancel bookkeeping, the state machine and shutdown. Knows nothing of
 * queries' contents: `connection.ts` builds requests on top of it.
 */
import type { ErrorPhase, ServerErrorFields, TuskError } from '../errors/base.js'
import { ConnectionClosed, ConnectionLost, ProtocolError } from '../errors/client.js'
import { REDACTED } from '../errors/redact.js'
import { fromServerError } from '../errors/server-error.js'
import { QueryCanceled } from '../errors/sqlstate.generated.js'
import type { BackendMessage, TransactionStatus } from '../protocol/backend.js'
import { BackendDecoder } from '../protocol/decoder.js'
import { TERMINATE_FRAME } from '../protocol/frontend.js'
import { Writer } from '../protocol/writer.js'
import type { Transport } from '../runtime/transport.js'
import type {
  CancelReason,
  ConnectionDetails,
  ConnectionHooks,
  ConnectionState,
} from './connection-types.js'
import { requestsInDoubt } from './in-doubt.js'
import { type Logger, log } from './logger.js'
import type { Operation } from './operation.js'

/** What the pump needs from `connect()`. */
export interface PumpInit {
  transport: Transport
  maxMessageSize?: number
  hooks?: ConnectionHooks
  /** How long a canceled query may go unanswered before the link is taken as dead (ms). */
  cancelGrace?: number
  /**
   * The password this session logged in with: a server that echoes it in an error or a notice
   * (a hostile or misconfigured one) never gets it into a message, a log line or a hook.
   */
  secret?: string | undefined
}

/** `fields` with every occurrence of `secret` replaced (a well-formed SQLSTATE kept as is). */
function scrubbed(fields: ServerErrorFields, secret: string): ServerErrorFields {
  let out: Record<string, string | undefined> | undefined
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || !value.includes(secret)) continue
    if (name === 'code' && /^[0-9A-Z]{5}$/.test(value)) continue
    out ??= { ...fields }
    out[name] = value.split(secret).join(REDACTED)
  }
  return (out as ServerErrorFields | undefined) ?? fields
}

/** Secrets shorter than this are not scrubbed from server text (it would mangle every message). */
const MIN_SCRUBBED_SECRET = 4

/** Options of a graceful close. */
export interface CloseOptions {
  /** Longest wait (ms) for pending requests; past it they fail and the link is dropped. */
  timeout?: number
}

/** Default `cancelGrace`: a CancelRequest's round trip plus the server noticing it, with room. */
export const DEFAULT_CANCEL_GRACE_MS = 2_000

/** A pending request with what cancel and timeouts need. */
export type Cancellable = Operation & {
  cancelPending?: boolean
  cancelReason?: CancelReason
}

const SEVERE = new Set(['FATAL', 'PANIC'])
const CLOSE_TIMEOUT_MS = 5_000

/**
 * The FIFO request pump under a Connection. Requests are queued and written without waiting for
 * earlier answers. Failures go to whoever awaits: nothing here emits an unhandled `error` event.
 */
export class RequestPump {
  readonly #transport: Transport
  readonly #decoder: BackendDecoder
  readonly #writer = new Writer()
  readonly #ops: Operation[] = []
  readonly #parameters = new Map<string, string>()
  readonly #hooks: ConnectionHooks
  readonly #cancelGrace: number
  readonly #secret: string | undefined
  #cancelInFlight = false
  /** A barrier request is in flight: later requests wait in `#held` (bytes, request). */
  #holding = false
  readonly #held: { bytes: Uint8Array; op: Operation }[] = []
  /**
   * Requests whose bytes are in `#writer`, not yet handed to the transport. `#ops` is ordered
   * as the bytes are: written requests, then these, then the `#held` ones.
   */
  #inWriter = 0
  readonly #drainWaiters: (() => void)[] = []
  /** Requests already sent behind a canceled one: a late cancel may hit them instead. */
  readonly #cancelBystanders = new WeakSet<Operation>()
  #txFailure: TuskError | undefined
  #txStatus: TransactionStatus = 'I'
  #ready = false
  #closed = false
  #closeReason: TuskError | undefined
  #fatal: TuskError | undefined
  #flushScheduled = false
  #rawHandler:
    | { resolve: (chunk: Uint8Array) => void; reject: (err: TuskError) => void }
    | undefined
  #closeWaiters: (() => void)[] = []
  /** @internal Set by connect() once startup completes. */
  details!: ConnectionDetails
  /** @internal Process ID and secret key for CancelRequest. */
  backendKey: { processId: number; secretKey: Uint8Array } | undefined
  /** @internal Set by connect(): sends a CancelRequest for this session. */
  cancelRequest: (() => Promise<void>) | undefined

  /** @internal Use `connect()`. */
  constructor(init: PumpInit) {
    this.#transport = init.transport
    this.#hooks = { ...init.hooks }
    this.#cancelGrace = init.cancelGrace ?? DEFAULT_CANCEL_GRACE_MS
    this.#secret =
      init.secret !== undefined && init.secret.length >= MIN_SCRUBBED_SECRET
        ? init.secret
        : undefined
    this.#decoder = new BackendDecoder(
      init.maxMessageSize === undefined ? {} : { maxMessageSize: init.maxMessageSize },
    )
    this.#transport.setHandlers({
      data: (chunk) => this.#onData(chunk),
      close: (err) => this.#onTransportClose(err),
      drain: () => {
        const waiters = this.#drainWaiters.splice(0)
        for (const w of waiters) w()
      },
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
   * @internal Cancels `op` if it has not finished: at once when the server is running it, else
   * when it reaches the head of the queue. While a CancelRequest is in flight no new request is
   * written, so a cancel that arrives late can only find the session idle, never the next query.
   * Returns the grace timer (see `#cancelUnanswered`); the caller clears it when `op` settles.
   */
  protected requestCancel(
    op: Cancellable,
    reason: 'abort' | 'timeout',
  ): ReturnType<typeof setTimeout> | undefined {
    if (!this.#ops.includes(op) || op.cancelReason) return undefined
    op.cancelReason = reason
    if (this.#ops[0] === op) this.#sendCancel()
    else op.cancelPending = true
    return setTimeout(() => this.#cancelUnanswered(op, reason), this.#cancelGrace)
  }

  /** True while `op` is the request the server is running (written, first in line). */
  protected isRunning(op: Operation): boolean {
    return this.#ops[0] === op && op.sent
  }

  /**
   * @internal Cancels `op`, a request queued from a layer above (a COPY), the way a query's
   * timeout or abort is: a CancelRequest now (or when `op` reaches the head), and the connection
   * closed as lost when no answer comes within `cancelGrace`. Returns the grace timer; the caller
   * clears it when `op` settles.
   */
  cancelOperation(
    op: Operation,
    reason: 'abort' | 'timeout',
  ): ReturnType<typeof setTimeout> | undefined {
    return this.requestCancel(op, reason)
  }

  /**
   * A canceled query got no answer within `cancelGrace`: on a link that went silent (no FIN, no
   * RST) none will ever come, and everything queued behind it would wait forever. The connection
   * is closed as lost: `op` rejects with QueryCanceled (its `cause` the ConnectionLost), the
   * requests behind it with ConnectionLost, and a pool replaces the connection.
   */
  #cancelUnanswered(op: Cancellable, reason: 'abort' | 'timeout'): void {
    const i = this.#ops.indexOf(op)
    if (i < 0 || this.#closed) return
    const doubt = this.#ready && requestsInDoubt(this.#ops.slice(0, i + 1), this.#txStatus).has(op)
    this.#ops.splice(i, 1)
    const grace = this.#cancelGrace
    this.#shutdown(
      `connection to ${this.host} lost: no answer within ${grace} ms of canceling a query (${reason}); the link is presumed dead`,
      undefined,
    )
    const written = op.sent && this.#ready
    const err = new QueryCanceled(
      `query canceled (${reason}); the server did not answer within ${grace} ms, so the connection was closed`,
      {
        query: op.query,
        host: this.host,
        phase: 'query',
        inDoubt: doubt,
        safeToRetry: !written,
        transient: true,
        cause: this.#closeReason,
      },
    )
    err.code = '57014'
    op.fail(err)
  }

  #sendCancel(): void {
    if (this.#cancelInFlight || !this.cancelRequest) return
    this.#cancelInFlight = true
    for (let i = 1; i < this.#ops.length; i++) this.#cancelBystanders.add(this.#ops[i]!)
    this.cancelRequest()
      .catch((err) => log(this.#hooks.logger, 'warn', 'cancel request failed', { error: err }))
      .finally(() => {
        this.#cancelInFlight = false
        if (this.#writer.length > 0 && !this.#flushScheduled) {
          this.#flushScheduled = true
          queueMicrotask(() => this.#flush())
        }
      })
  }

  /** @internal The error that failed the current transaction block, if any (for COMMIT). */
  get transactionFailure(): TuskError | undefined {
    return this.#txFailure
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

  /**
   * Closes gracefully: waits for pending requests, sends Terminate, ends the socket. With
   * `timeout` (ms), requests still pending past it fail as with `destroy()` (a hung link cannot
   * hold the close up) and the link is dropped.
   */
  async close(options?: CloseOptions): Promise<void> {
    if (this.#closed) return
    const timeout = options?.timeout
    const timer =
      timeout !== undefined && this.#ops.length > 0
        ? setTimeout(() => {
            this.destroy()
            this.#wakeCloseWaiters()
          }, timeout)
        : undefined
    try {
      while (this.#ops.length > 0 && !this.#closed) {
        await new Promise<void>((r) => this.#closeWaiters.push(r))
      }
    } finally {
      clearTimeout(timer)
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
      const doubt = requestsInDoubt(this.#ops, this.#txStatus)
      this.#failAll((op) => {
        const written = op.sent && this.#ready
        return new ConnectionClosed('connection destroyed while the request was pending', {
          host: this.host,
          phase: 'close',
          inDoubt: written && doubt.has(op),
          safeToRetry: !written,
          ...(op.query !== undefined ? { query: op.query } : {}),
        })
      })
    }
  }

  #afterClose: (() => void) | undefined

  // ---- internal API for connect() and later layers ----

  /** @internal Queue a request: `encode` appends its messages; they are written this turn. */
  enqueue(op: Operation, encode: (w: Writer) => void): void {
    this.#enqueue(op, encode)
  }

  /**
   * @internal Queue a request ahead of every request held behind the barrier now completing: the
   * barrier's own continuation (a cursor binding the statement its barrier described), so nothing
   * queued meanwhile runs in between. Call it while the barrier's answer is being handled. With
   * no barrier in flight it is `enqueue`.
   */
  enqueueAhead(op: Operation, encode: (w: Writer) => void): void {
    if (!this.#holding || this.#closed) {
      this.#enqueue(op, encode)
      return
    }
    const w = new Writer(256)
    encode(w)
    this.#ops.splice(this.#ops.length - this.#held.length, 0, op)
    this.#held.unshift({ bytes: w.flush(), op })
  }

  /**
   * @internal Write at once, after anything already queued (startup, auth, COPY data). Returns
   * false when the socket's buffer is full: wait for `drained()` before writing more.
   */
  writeNow(encode: (w: Writer) => void): boolean {
    encode(this.#writer)
    this.#markWritten()
    return this.#transport.write(this.#writer.flush())
  }

  /** @internal Resolves when the socket can take more bytes (or the connection closed). */
  drained(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise((resolve) => this.#drainWaiters.push(resolve))
  }

  /** @internal Stop or resume reading from the socket (COPY TO backpressure). */
  pauseReading(): void {
    this.#transport.pause()
  }

  /** @internal Undo `pauseReading()`. */
  resumeReading(): void {
    this.#transport.resume()
  }

  /**
   * @internal Receive the next raw chunk instead of decoding it (SSLRequest answer). Reading is
   * paused once it arrives: `startTls` or `resumeReading()` goes on.
   */
  readRaw(): Promise<Uint8Array> {
    if (this.#closed)
      return Promise.reject(this.#closeReason ?? new ConnectionClosed('connection closed'))
    return new Promise((resolve, reject) => {
      this.#rawHandler = { resolve, reject }
    })
  }

  /** @internal Mark startup complete. */
  markReady(details: ConnectionDetails): void {
    this.details = details
    this.#ready = true
  }

  /** @internal Let the process exit while this connection is open (pool `allowExitOnIdle`). */
  unref(): void {
    this.#transport.unref()
  }

  /** @internal Undo `unref()`. */
  ref(): void {
    this.#transport.ref()
  }

  /** @internal Requests not yet answered. */
  get pending(): number {
    return this.#ops.length
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
          // Lost, not closed by its owner: as transient as the loss itself (a retry on another
          // connection can succeed).
          transient: reason !== undefined,
          ...(reason ? { cause: reason } : {}),
          ...(op.query !== undefined ? { query: op.query } : {}),
        },
      )
    }
    if (this.#holding) {
      const w = new Writer(256)
      encode(w)
      this.#held.push({ bytes: w.flush(), op })
      this.#ops.push(op)
      return
    }
    const start = this.#writer.length
    try {
      encode(this.#writer)
    } catch (err) {
      this.#writer.truncate(start)
      throw err
    }
    this.#ops.push(op)
    this.#inWriter++
    if (op.barrier) this.#holding = true
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flush())
    }
  }

  #flush(): void {
    this.#flushScheduled = false
    if (this.#writer.length === 0 || this.#closed || this.#cancelInFlight) return
    this.#markWritten()
    this.#transport.write(this.#writer.flush())
  }

  /**
   * The whole writer is about to go to the transport: its requests count as sent from now on
   * (`inDoubt` if the link then fails). A range of the queue, one boolean each, no allocation.
   */
  #markWritten(): void {
    const n = this.#inWriter
    if (n === 0) return
    this.#inWriter = 0
    const ops = this.#ops
    const end = ops.length - this.#held.length
    for (let i = end - n; i < end; i++) ops[i]!.sent = true
  }

  /**
   * A barrier request completed: sends the requests held behind it, in order, up to and
   * including the next barrier (which holds the rest again).
   */
  #releaseHeld(): void {
    this.#holding = false
    const held = this.#held
    let n = 0
    while (n < held.length) {
      const entry = held[n++]!
      this.#writer.bytes(entry.bytes)
      this.#inWriter++
      if (entry.op.barrier) {
        this.#holding = true
        break
      }
    }
    held.splice(0, n)
    if (n > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flush())
    }
  }

  #onData(chunk: Uint8Array): void {
    const raw = this.#rawHandler
    if (raw) {
      this.#rawHandler = undefined
      // Nothing more may be read until the caller decides (a TLS upgrade takes the socket over).
      this.#transport.pause()
      raw.resolve(new Uint8Array(chunk))
      return
    }
    try {
      const decoder = this.#decoder
      decoder.push(chunk)
      for (;;) {
        // Rows for the request at the head go to it without a message object per row.
        const sink = this.#ops[0]?.rowSink
        if (sink !== undefined && decoder.nextDataRow(sink)) continue
        const m = decoder.next()
        if (m === undefined) break
        this.#dispatch(m)
        if (this.#closed && this.#ops.length === 0) break
      }
      // The transport may read into the same memory next time: keep no view of it.
      decoder.release()
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
    if (this.#secret !== undefined && (m.type === 'ErrorResponse' || m.type === 'NoticeResponse')) {
      ;(m as { fields: ServerErrorFields }).fields = scrubbed(m.fields, this.#secret)
    }
    switch (m.type) {
      case 'ParameterStatus':
        if (
          m.name === 'search_path' &&
          this.#parameters.get('search_path') !== m.value &&
          this.#ready
        ) {
          this.onSearchPathChange()
        }
        this.#parameters.set(m.name, m.value)
        return
      case 'NoticeResponse': {
        const notice = { ...m.fields, message: m.fields.message ?? '' }
        if (this.#hooks.onNotice) {
          this.#call(() => this.#hooks.onNotice?.(notice, { processId: this.processId }))
        } else log(this.#hooks.logger, 'debug', `server notice: ${notice.message}`, { notice })
        return
      }
      case 'NotificationResponse':
        this.#call(() =>
          this.#hooks.onNotification?.(
            { processId: m.processId, channel: m.channel, payload: m.payload },
            { processId: this.processId },
          ),
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
        if (m.status === 'I') this.#txFailure = undefined
        break
    }
    const op = this.#ops[0]
    if (!op) {
      if (m.type === 'ErrorResponse') {
        // A FATAL while idle (the session terminated, an idle timeout): the server is about to
        // close the socket. The connection is lost now, so a pool never hands it out in between.
        if (this.#fatal !== undefined) this.#onTransportClose(undefined)
        return
      }
      throw new ProtocolError(`server sent ${m.type} while no request was pending`, {
        messageType: m.type,
      })
    }
    if (op.handle(m)) {
      this.#ops.shift()
      if (op.barrier) this.#releaseHeld()
      if (this.#ops.length === 0) this.#wakeCloseWaiters()
      else if ((this.#ops[0] as Cancellable).cancelPending) this.#sendCancel()
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
    // Before startup completes nothing of the user's was sent: always safe to retry.
    const doubt = requestsInDoubt(this.#ops, this.#txStatus)
    const make = (phase: ErrorPhase, op?: Operation): ConnectionLost => {
      const written = op?.sent === true && this.#ready
      return new ConnectionLost(message, {
        host: this.host,
        phase,
        ...(errno ? { errno } : {}),
        ...(cause !== undefined ? { cause } : {}),
        ...(op?.query !== undefined ? { query: op.query } : {}),
        inDoubt: written && op !== undefined && doubt.has(op),
        safeToRetry: op ? !written : !this.#ready,
      })
    }
    const phase: ErrorPhase = !this.#ready ? 'connect' : this.#ops.length ? 'query' : 'idle'
    this.#closeReason = make(phase)
    this.#transport.destroy()
    const raw = this.#rawHandler
    this.#rawHandler = undefined
    raw?.reject(this.#closeReason)
    this.#failAll((op) => make(this.#ready ? 'query' : 'connect', op))
    this.#wakeCloseWaiters()
    for (const w of this.#drainWaiters.splice(0)) w()
    if (first) this.#call(() => this.#hooks.onClose?.(this.#closeReason))
  }

  #failAll(make: (op: Operation) => TuskError): void {
    const ops = this.#ops.splice(0)
    for (const op of ops) op.fail(make(op))
  }

  /** @internal The logger of the connection's hooks (debug and warning lines). */
  protected get logger(): Logger | undefined {
    return this.#hooks.logger
  }

  /** @internal True once startup completed (the session is ready for queries). */
  protected get ready(): boolean {
    return this.#ready
  }

  /** @internal True when `op` was already sent behind a canceled request (a late cancel may hit it). */
  protected isCancelBystander(op: Operation): boolean {
    return this.#cancelBystanders.has(op)
  }

  /** @internal Remembers the first error of a failed transaction block (for later errors and COMMIT). */
  protected recordTransactionFailure(err: TuskError, code: string | undefined): void {
    if (this.#txStatus === 'E' && this.#txFailure === undefined && code !== '25P02')
      this.#txFailure = err
  }

  /** @internal The server's search_path changed: statements prepared under the old one are stale. */
  protected onSearchPathChange(): void {}
}
