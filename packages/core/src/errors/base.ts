/**
 * The roots of the error taxonomy (DB-API 2.0 shape, psycopg names).
 * Pure data: imports only the redaction and parameter rendering beside it.
 */
import { formatParameters } from './parameters.js'
import { redactSecrets } from './redact.js'

/** Brand that marks every Tusk error, shared by every copy of the package (ESM and CJS). */
const KINDS = Symbol.for('tusk.error.kinds')

/** Where in a connection's life an error happened. */
export type ErrorPhase =
  | 'config'
  | 'connect'
  | 'tls'
  | 'authenticate'
  | 'startup'
  | 'query'
  | 'idle'
  | 'close'

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
  /**
   * The statement's parameter values. Kept as a non-enumerable `parameters` property and out of the
   * message, unless `includeValues` is true.
   */
  parameters?: readonly unknown[]
  /** Debug opt-in: show `parameters` in the message and make the property enumerable. */
  includeValues?: boolean
}

/** Options every Tusk error constructor takes. */
export interface TuskErrorOptions extends ClientErrorContext {
  cause?: unknown
}

/** Node's `util.inspect.custom` symbol, reached without importing `node:util`. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** The `inspect` function Node hands to a custom inspector. */
type InspectFunction = (value: unknown, options?: object) => string

/** The subset of Node's inspect options a custom inspector reads. */
interface InspectOptionsLike {
  depth?: number | null
}

/** Redacts strings; other values pass unchanged. */
function redactValue(value: unknown): unknown {
  return typeof value === 'string' ? redactSecrets(value) : value
}

/**
 * The root of every error Tusk throws. Every message, `query` and `host` given to the constructor
 * is passed through `redactSecrets`; `toString`, `toJSON` and Node's `util.inspect` redact again.
 */
export class TuskError extends Error {
  /** The class name, stable under minification; used by the cross-copy `instanceof`. */
  static readonly kind: string = 'TuskError'
  /** The SQL text of the failing statement, when there was one (redacted). */
  declare query?: string
  /** `host:port` or the socket path of the server. */
  declare host?: string
  /** Where in the connection's life the error happened. */
  declare phase?: ErrorPhase
  /** The statement may have run (e.g. a COMMIT whose answer was lost). */
  inDoubt: boolean
  /** The request provably never reached the server: retrying cannot run it twice. */
  safeToRetry: boolean
  /** A retry on a new connection or transaction can cure this kind of failure. */
  transient: boolean
  /** The statement's parameter values; non-enumerable unless `includeValues` was set. */
  declare parameters?: readonly unknown[]
  declare readonly [KINDS]: readonly string[]

  constructor(message: string, options: TuskErrorOptions = {}) {
    const shown =
      options.includeValues === true &&
      options.parameters !== undefined &&
      options.parameters.length > 0
        ? `${message}\nparameters: ${formatParameters(options.parameters)}`
        : message
    super(redactSecrets(shown), options.cause === undefined ? undefined : { cause: options.cause })
    const ctor = new.target as unknown as { kind: string }
    Object.defineProperty(this, 'name', {
      value: ctor.kind,
      enumerable: false,
      writable: true,
      configurable: true,
    })
    const kinds: string[] = []
    for (let c: unknown = new.target; c && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      const k = (c as { kind?: string }).kind
      if (typeof k === 'string' && Object.hasOwn(c, 'kind')) kinds.push(k)
    }
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds), enumerable: false })
    this.inDoubt = options.inDoubt ?? false
    this.safeToRetry = options.safeToRetry ?? false
    this.transient = options.transient ?? false
    if (options.query !== undefined) this.query = redactSecrets(options.query)
    if (options.host !== undefined) this.host = redactSecrets(options.host)
    if (options.phase !== undefined) this.phase = options.phase
    if (options.parameters !== undefined) {
      Object.defineProperty(this, 'parameters', {
        value: options.parameters,
        enumerable: options.includeValues === true,
        writable: true,
        configurable: true,
      })
    }
  }

  /** `Name: message`, redacted. */
  override toString(): string {
    return redactSecrets(`${this.name}: ${this.message}`)
  }

  /** `name`, `message` and every enumerable property, strings redacted (what `JSON.stringify` shows). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: redactSecrets(this.message) }
    for (const [key, value] of Object.entries(this)) out[key] = redactValue(value)
    return out
  }

  /** Node's `util.inspect`: the stack, then the enumerable properties and `cause`, all redacted. */
  [INSPECT](depth: number, options: InspectOptionsLike = {}, inspect?: InspectFunction): string {
    const stack = this.stack ?? `${this.name}: ${this.message}`
    if (depth < 0) return redactSecrets(`[${this.name}: ${this.message.split('\n', 1)[0]}]`)
    const view: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined) view[key] = redactValue(value)
    }
    if (this.cause !== undefined) view.cause = this.cause
    if (Object.keys(view).length === 0) return redactSecrets(stack)
    let rendered: string
    if (inspect) {
      const nested = {
        ...options,
        depth: options.depth == null ? options.depth : options.depth - 1,
      }
      rendered = inspect(view, nested)
    } else {
      try {
        rendered = JSON.stringify(view)
      } catch {
        rendered = ''
      }
    }
    return redactSecrets(`${stack} ${rendered}`)
  }

  /** `instanceof` that holds across two loaded copies of the package (ESM and CJS). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof
    const target = this as unknown as { kind: string }
    const kinds = (value as { [KINDS]?: readonly string[] })[KINDS]
    if (!Array.isArray(kinds)) return Function.prototype[Symbol.hasInstance].call(target, value)
    return kinds.includes(target.kind)
  }
}

/** Misuse of the driver: bad config, closed pool or connection, bad parameter value. */
export class InterfaceError extends TuskError {
  static override readonly kind: string = 'InterfaceError'
}

/**
 * Anything the server, or the link to it, reports. Errors built from a server ErrorResponse
 * (`fromServerError`) carry the server's fields under the names `pg` uses.
 */
export class DatabaseError extends TuskError {
  static override readonly kind: string = 'DatabaseError'
  /** The SQLSTATE, e.g. `23505`. */
  declare code?: string
  /** `ERROR`, `FATAL` or `PANIC` (possibly localized). */
  declare severity?: string
  /** The severity in English, never localized. */
  declare severityNonLocalized?: string
  /** The server's primary message, exactly as sent (`message` may add the query position). */
  declare serverMessage?: string
  /** Secondary message with more detail. */
  declare detail?: string
  /** A suggestion what to do about the problem. */
  declare hint?: string
  /** 1-based character position in the query text, as a decimal string. */
  declare position?: string
  /** Like `position`, but into `internalQuery`. */
  declare internalPosition?: string
  /** The text of an internally generated command that failed. */
  declare internalQuery?: string
  /** The context: a call stack of PL functions or internal commands. */
  declare where?: string
  /** The schema of the object at fault. */
  declare schema?: string
  /** The table at fault. */
  declare table?: string
  /** The column at fault. */
  declare column?: string
  /** The data type at fault. */
  declare dataType?: string
  /** The constraint at fault. */
  declare constraint?: string
  /** The server's source file that reported the error. */
  declare file?: string
  /** The line in `file`, as a decimal string. */
  declare line?: string
  /** The server's source routine that reported the error. */
  declare routine?: string
  /** For an error during COPY: the input line (1-based) the server was reading, from `where`. */
  declare copyLine?: number
  /** For an error during COPY: the column the server was reading, from `where`. */
  declare copyColumn?: string
  /**
   * For a statement canceled or timed out while waiting on a lock (or refused one, `55P03`): the
   * sessions that held it, asked on a side connection (see the `lockDiagnosis` option).
   */
  declare blockers?: readonly LockBlocker[]
}

/** A session that blocked a statement's lock wait, as `pg_stat_activity` showed it. */
export interface LockBlocker {
  /** Backend pid of the blocking session. */
  pid: number
  /** The pid it blocks: the waiting statement's, or another blocker's in a chain. */
  blocks: number
  /** `idle in transaction`, `active`, … */
  state: string | null
  applicationName: string
  /** How long its transaction had been open, in ms (null outside a transaction). */
  transactionAgeMs: number | null
  /** Its current (or last) statement, truncated to 200 characters. */
  query: string
}

/** A DatabaseError class as a value (what `lookup` returns); per-SQLSTATE classes set `sqlstate`. */
export type DatabaseErrorClass = typeof DatabaseError & { readonly sqlstate?: string }

/** A class generated for one SQLSTATE. */
export type SqlstateErrorClass = typeof DatabaseError & { readonly sqlstate: string }

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
