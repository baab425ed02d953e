/**
 * The roots of the error taxonomy (DB-API 2.0 shape, psycopg names) and the client-side errors.
 * Pure data: imports nothing but itself.
 */

/** Brand that marks every Tusk error, shared by every copy of the package (ESM and CJS). */
const KINDS = Symbol.for('tusk.error.kinds')

/** Where in a connection's life an error happened. */
export type ErrorPhase = 'config' | 'connect' | 'tls' | 'authenticate' | 'startup' | 'query' | 'idle' | 'close'

/** Fields of a server ErrorResponse/NoticeResponse, with the names `pg` uses. */
export interface ServerErrorFields {
  severity?: string
  /** The severity in English, never localized (PostgreSQL 9.6+). */
  severityNonLocalized?: string
  code?: string
  message?: string
  detail?: string
  hint?: string
  position?: string
  internalPosition?: string
  internalQuery?: string
  where?: string
  schema?: string
  table?: string
  column?: string
  dataType?: string
  constraint?: string
  file?: string
  line?: string
  routine?: string
}

/** What the client knows about a failure that the server cannot. */
export interface ClientErrorContext {
  /** The SQL text of the failing statement, when there was one. */
  query?: string
  /** `host:port` or the socket path of the server. */
  host?: string
  phase?: ErrorPhase
  /** The statement may have run (e.g. a COMMIT whose answer was lost). */
  inDoubt?: boolean
  /** The request provably never reached the server: retrying cannot run it twice. */
  safeToRetry?: boolean
  /** A retry on a new connection or transaction can cure this kind of failure. */
  transient?: boolean
}

/** Options every Tusk error constructor takes. */
export interface TuskErrorOptions extends ClientErrorContext {
  cause?: unknown
}

/** The root of every error Tusk throws. */
export class TuskError extends Error {
  /** The class name, stable under minification; used by the cross-copy `instanceof`. */
  static readonly kind: string = 'TuskError'
  query?: string
  host?: string
  phase?: ErrorPhase
  inDoubt: boolean
  safeToRetry: boolean
  transient: boolean
  declare readonly [KINDS]: readonly string[]

  constructor(message: string, options: TuskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    const ctor = new.target as unknown as { kind: string }
    this.name = ctor.kind
    const kinds: string[] = []
    for (let c: unknown = new.target; c && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      const k = (c as { kind?: string }).kind
      if (typeof k === 'string' && Object.hasOwn(c, 'kind')) kinds.push(k)
    }
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds), enumerable: false })
    this.inDoubt = options.inDoubt ?? false
    this.safeToRetry = options.safeToRetry ?? false
    this.transient = options.transient ?? false
    if (options.query !== undefined) this.query = options.query
    if (options.host !== undefined) this.host = options.host
    if (options.phase !== undefined) this.phase = options.phase
  }

  /** `instanceof` that holds across two loaded copies of the package (ESM and CJS). */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false
    const kinds = (value as { [KINDS]?: readonly string[] })[KINDS]
    if (!Array.isArray(kinds)) return Function.prototype[Symbol.hasInstance].call(this, value)
    return kinds.includes((this as unknown as { kind: string }).kind)
  }
}

/** Misuse of the driver: bad config, closed pool or connection, bad parameter value. */
export class InterfaceError extends TuskError {
  static override readonly kind: string = 'InterfaceError'
}

/** Anything the server, or the link to it, reports. */
export class DatabaseError extends TuskError {
  static override readonly kind: string = 'DatabaseError'
}

/** Connection refused, lost or timed out, TLS, authentication, shutdown, cancel, serialization. */
export class OperationalError extends DatabaseError {
  static override readonly kind: string = 'OperationalError'
}
/** A constraint of the database was violated. */
export class IntegrityError extends DatabaseError {
  static override readonly kind: string = 'IntegrityError'
}
/** A value could not be represented or processed. */
export class DataError extends DatabaseError {
  static override readonly kind: string = 'DataError'
}
/** An error in the SQL or its use: undefined table, syntax error, missing privilege. */
export class ProgrammingError extends DatabaseError {
  static override readonly kind: string = 'ProgrammingError'
}
/** The server hit an internal error. */
export class InternalError extends DatabaseError {
  static override readonly kind: string = 'InternalError'
}
/** A feature is not supported by the server. */
export class NotSupportedError extends DatabaseError {
  static override readonly kind: string = 'NotSupportedError'
}
