/**
 * Errors the client raises on its own (no SQLSTATE from the server): config, protocol, link.
 * Pure data: imports only the taxonomy roots.
 */
import { InterfaceError, OperationalError, type TuskErrorOptions } from './base.js'

/** A connection string, option or environment variable is invalid. */
export class ConfigError extends InterfaceError {
  static override readonly kind: string = 'ConfigError'
  /** The parameter at fault, when one is known (libpq name, e.g. `sslmode`). */
  declare parameter?: string
  constructor(message: string, options: TuskErrorOptions & { parameter?: string } = {}) {
    super(message, { phase: 'config', safeToRetry: true, ...options })
    if (options.parameter !== undefined) this.parameter = options.parameter
  }
}

/** Work was given to a connection (or pool) that is already closed. */
export class ConnectionClosed extends InterfaceError {
  static override readonly kind: string = 'ConnectionClosed'
}

/** What a {@link HandleClosed} error refers to. */
export type HandleKind = 'transaction' | 'savepoint' | 'client' | 'cursor' | 'session'

/**
 * A handle was used after what it belongs to ended: a transaction or savepoint that committed or
 * rolled back, a released pool client, a closed cursor. The call never reached the connection
 * (whose next owner it would otherwise have touched).
 */
export class HandleClosed extends InterfaceError {
  static override readonly kind: string = 'HandleClosed'
  /** Which handle was used. */
  declare handle: HandleKind
  constructor(message: string, options: TuskErrorOptions & { handle: HandleKind }) {
    const { handle, ...rest } = options
    super(message, { safeToRetry: true, ...rest })
    this.handle = handle
  }
}

/**
 * A statement was given to a session while one of its cursors reads in a transaction the cursor
 * opened itself (the session was idle): run there, the statement would join that transaction and
 * be rolled back with it when the cursor fails. Nothing was sent.
 */
export class SessionBusy extends InterfaceError {
  static override readonly kind: string = 'SessionBusy'
  constructor(message: string, options: TuskErrorOptions = {}) {
    super(message, { safeToRetry: true, ...options })
  }
}

/** The server sent bytes that break the protocol: unknown type, bad length, truncated body. */
export class ProtocolError extends OperationalError {
  static override readonly kind: string = 'ProtocolError'
  /** The name of the protocol message at fault, e.g. `DataRow`. */
  declare messageType?: string
  constructor(message: string, options: TuskErrorOptions & { messageType?: string } = {}) {
    super(message, options)
    if (options.messageType !== undefined) this.messageType = options.messageType
  }
}

/** A connection could not be established (refused, unreachable, DNS). */
export class ConnectionError extends OperationalError {
  static override readonly kind: string = 'ConnectionError'
  /** The system error code, e.g. `ECONNREFUSED`, when there was one. */
  declare errno?: string
  constructor(message: string, options: TuskErrorOptions & { errno?: string } = {}) {
    super(message, { transient: true, ...options })
    if (options.errno !== undefined) this.errno = options.errno
  }
}

/** An established connection broke: socket error, server FATAL, protocol error. */
export class ConnectionLost extends ConnectionError {
  static override readonly kind: string = 'ConnectionLost'
}

/** Connecting took longer than `connect_timeout`. */
export class ConnectTimeout extends ConnectionError {
  static override readonly kind: string = 'ConnectTimeout'
}

/** TLS could not be negotiated or verified as `sslmode` demands. */
export class TlsError extends ConnectionError {
  static override readonly kind: string = 'TlsError'
}

/** Authentication refused on the client side (policy, or a server that failed to prove itself). */
export class AuthenticationError extends OperationalError {
  static override readonly kind: string = 'AuthenticationError'
}

/** The pool is closed (`end()` was called): no more checkouts. */
export class PoolClosedError extends InterfaceError {
  static override readonly kind: string = 'PoolClosedError'
}

/** No connection became free within `acquireTimeout`. The message gives the pool's numbers. */
export class PoolTimeoutError extends OperationalError {
  static override readonly kind: string = 'PoolTimeoutError'
  constructor(message: string, options: TuskErrorOptions = {}) {
    super(message, { transient: true, safeToRetry: true, ...options })
  }
}

/** More callers are waiting than `maxWaiting` allows: shed load now rather than queue forever. */
export class PoolTooBusyError extends OperationalError {
  static override readonly kind: string = 'PoolTooBusyError'
  constructor(message: string, options: TuskErrorOptions = {}) {
    super(message, { transient: true, safeToRetry: true, ...options })
  }
}

/** Which result-size guard tripped. */
export type ResultLimit = 'maxRows' | 'maxBytes'

/**
 * A query's result crossed `maxRows` or `maxBytes`: the rest was not kept (and the statement was
 * canceled). Stream such results with `cursor()`.
 */
export class ResultTooLarge extends InterfaceError {
  static override readonly kind: string = 'ResultTooLarge'
  /** The limit that tripped. */
  limit: ResultLimit
  /** Rows received when it tripped. */
  rowsSeen: number
  /** Bytes of row data received when it tripped. */
  bytesSeen: number
  constructor(
    message: string,
    options: TuskErrorOptions & { limit: ResultLimit; rowsSeen: number; bytesSeen: number },
  ) {
    super(message, options)
    this.limit = options.limit
    this.rowsSeen = options.rowsSeen
    this.bytesSeen = options.bytesSeen
  }
}
