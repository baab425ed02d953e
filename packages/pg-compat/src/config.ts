/**
 * A `pg` config (a connection string, or an object with pg's keys, pool-only and unknown keys
 * tolerated) turned into @tusk/core's conninfo and options. Connection parameters keep libpq's
 * meaning (see README: `sslmode`, keepalives, the TLS default).
 */
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls'
import type { ConnectionOptions, ConnectOptions, PoolOptions } from '@tusk/core'
import type { PoolClient } from './pool.js'
import type { CustomTypesConfig } from './types.js'

/** A password, or a function called for each connection attempt. */
export type PasswordSource = string | (() => string | Promise<string>)

/** What `new Client(config)` accepts, with `pg`'s key names. */
export interface ClientConfig {
  /** A `postgres://` URI (or a libpq key=value string); explicit keys win over it. */
  connectionString?: string | undefined
  /** Server host name, IP address or Unix socket directory. */
  host?: string | undefined
  /** Server port. */
  port?: number | string | undefined
  /** User name. */
  user?: string | undefined
  /** Database name. */
  database?: string | undefined
  /** Password, or a function returning it (called for each connection). */
  password?: PasswordSource | undefined
  /** `true` (verified TLS), `false` (no TLS) or Node TLS options (`rejectUnauthorized: false`: unverified). */
  ssl?: boolean | TlsConnectionOptions | undefined
  /** Server-side `statement_timeout` in ms. */
  statement_timeout?: number | false | undefined
  /** Server-side `lock_timeout` in ms. */
  lock_timeout?: number | undefined
  /** Server-side `idle_in_transaction_session_timeout` in ms. */
  idle_in_transaction_session_timeout?: number | undefined
  /** Client-side limit of each query in ms; it cancels the statement on the server. */
  query_timeout?: number | undefined
  /** Connect timeout in ms (0: none). */
  connectionTimeoutMillis?: number | undefined
  /** `application_name` reported to the server. */
  application_name?: string | undefined
  /** `fallback_application_name`. */
  fallback_application_name?: string | undefined
  /** Startup `options` (`-c search_path=app`). */
  options?: string | undefined
  /** TCP keepalive (on by default here, as in libpq). */
  keepAlive?: boolean | undefined
  /** Idle time before the first keepalive probe, in ms (rounded up to seconds). */
  keepAliveInitialDelayMillis?: number | undefined
  /** Type parsers for this client's results. */
  types?: CustomTypesConfig | undefined
  /** Client encoding; only UTF8 is supported. */
  client_encoding?: string | undefined
  /** `direct`: TLS without the PostgreSQL SSLRequest (PostgreSQL 17+). */
  sslnegotiation?: 'postgres' | 'direct' | undefined
  /** Accepted and ignored: SCRAM channel binding is used whenever the server offers it. */
  enableChannelBinding?: boolean | undefined
  /** Accepted and ignored: the transport is @tusk/core's own. */
  stream?: (() => unknown) | undefined
  /** Accepted and ignored: concurrent queries are pipelined anyway. */
  pipeline?: boolean | undefined
  // Other keys `pg` or a tool passes (`binary`, `Promise`, …) are ignored at run time; TypeScript
  // checks object literals against the keys above, as with @types/pg.
}

/** What `new Pool(config)` accepts: a client config plus pg-pool's keys. */
export interface PoolConfig extends ClientConfig {
  /** Most clients at once (default 10). */
  max?: number | undefined
  /** Clients kept open when idle (default 0). */
  min?: number | undefined
  /** Close a client idle this long, in ms (default 10 000; 0 or null: never). */
  idleTimeoutMillis?: number | null | undefined
  /** Close a client this old when it is next idle, in seconds (0: never). */
  maxLifetimeSeconds?: number | undefined
  /** Retire a client after this many checkouts. */
  maxUses?: number | undefined
  /** Let the process exit while every client is idle. */
  allowExitOnIdle?: boolean | undefined
  /** Called (and awaited) for each new client before its first use. */
  onConnect?(client: PoolClient): void | Promise<void>
  /**
   * Called for each new client (a PoolClient) before its first use; `done(err)` with an error
   * drops it. The client is typed `never` so that a config typed with @types/pg (whose client
   * type has pg's internals) fits; cast it to PoolClient to use it.
   */
  verify?(client: never, done: (err?: Error) => void): void
  /** Accepted and ignored (logging goes through @tusk/core's `logger`). */
  log?: ((...messages: never[]) => void) | undefined
  /** Accepted and ignored: native promises are used. */
  Promise?: PromiseConstructorLike | undefined
  /** Accepted and ignored: clients are always this package's. */
  Client?: unknown
}

/** The core's inputs for one pg config. */
export interface ResolvedConfig {
  conninfo: ConnectionOptions
  options: ConnectOptions
  /** Client-side time limit of each query (ms), when set. */
  queryTimeout: number | undefined
  /** The `types` given, when given. */
  types: CustomTypesConfig | undefined
}

const URI = /^postgres(?:ql)?:\/\//i
const MAX_MS = 2_147_483_647

/** pg-only URI parameters turned into libpq ones (`ssl=true` → verify-full, `sslmode=no-verify`). */
function libpqUri(uri: string): string {
  if (!URI.test(uri)) return uri
  const q = uri.indexOf('?')
  if (q < 0) return uri
  const params = new URLSearchParams(uri.slice(q + 1))
  const ssl = params.get('ssl')
  params.delete('ssl')
  params.delete('uselibpqcompat')
  if (ssl !== null && !params.has('sslmode')) {
    params.set('sslmode', ssl === 'false' || ssl === '0' ? 'disable' : 'verify-full')
  }
  if (params.get('sslmode') === 'no-verify') params.set('sslmode', 'require')
  const rest = params.toString()
  return rest === '' ? uri.slice(0, q) : `${uri.slice(0, q)}?${rest}`
}

function sslmodeOf(ssl: ClientConfig['ssl']): 'disable' | 'require' | 'verify-full' | undefined {
  if (ssl === undefined || ssl === null) return undefined
  if (ssl === false) return 'disable'
  if (ssl === true) return 'verify-full'
  return ssl.rejectUnauthorized === false ? 'require' : 'verify-full'
}

const positive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0

/** Resolves a pg client config (or connection string) for @tusk/core. */
export function resolveClientConfig(input: string | ClientConfig | undefined): ResolvedConfig {
  const config: ClientConfig =
    typeof input === 'string' ? { connectionString: input } : (input ?? {})
  const conninfo: Record<string, unknown> = {}
  const options: ConnectOptions = {}
  if (typeof config.connectionString === 'string' && config.connectionString !== '') {
    conninfo.connectionString = libpqUri(config.connectionString)
  }
  if (config.host !== undefined) conninfo.host = config.host
  if (config.port !== undefined && config.port !== '') conninfo.port = config.port
  if (config.user !== undefined) conninfo.user = config.user
  if (config.database !== undefined) conninfo.dbname = config.database
  if (typeof config.password === 'function') options.password = config.password
  else if (typeof config.password === 'string') conninfo.password = config.password
  if (config.application_name !== undefined) conninfo.application_name = config.application_name
  if (config.fallback_application_name !== undefined) {
    conninfo.fallback_application_name = config.fallback_application_name
  }
  if (config.options !== undefined) conninfo.options = config.options
  if (config.client_encoding !== undefined && config.client_encoding !== '') {
    conninfo.client_encoding = config.client_encoding
  }
  const sslmode = sslmodeOf(config.ssl)
  if (sslmode !== undefined) conninfo.sslmode = sslmode
  if (config.sslnegotiation !== undefined) conninfo.sslnegotiation = config.sslnegotiation
  if (config.keepAlive === false) conninfo.keepalives = 0
  if (positive(config.keepAliveInitialDelayMillis)) {
    conninfo.keepalives_idle = Math.ceil(config.keepAliveInitialDelayMillis / 1000)
  }
  if (positive(config.statement_timeout)) options.statementTimeout = config.statement_timeout
  if (positive(config.lock_timeout)) options.lockTimeout = config.lock_timeout
  if (positive(config.idle_in_transaction_session_timeout)) {
    options.idleInTransactionSessionTimeout = config.idle_in_transaction_session_timeout
  }
  if (positive(config.connectionTimeoutMillis)) {
    options.connectTimeout = Math.min(config.connectionTimeoutMillis, MAX_MS)
  }
  return {
    conninfo: conninfo as ConnectionOptions,
    options,
    queryTimeout: positive(config.query_timeout) ? config.query_timeout : undefined,
    types: config.types,
  }
}

/** Resolves a pg pool config: the client part, plus pg-pool's sizing and timeouts. */
export function resolvePoolConfig(input: string | PoolConfig | undefined): {
  client: ResolvedConfig
  pool: PoolOptions
} {
  const config: PoolConfig = typeof input === 'string' ? { connectionString: input } : (input ?? {})
  const client = resolveClientConfig(config)
  const pool: PoolOptions = { ...client.options }
  if (typeof config.max === 'number') pool.max = config.max
  if (typeof config.min === 'number') pool.min = config.min
  // pg-pool: null (or 0) means no idle timeout; unset means 10 s.
  pool.idleTimeout =
    config.idleTimeoutMillis === null
      ? 0
      : typeof config.idleTimeoutMillis === 'number'
        ? config.idleTimeoutMillis
        : 10_000
  if (typeof config.maxLifetimeSeconds === 'number')
    pool.maxLifetime = config.maxLifetimeSeconds * 1000
  if (typeof config.maxUses === 'number' && Number.isFinite(config.maxUses))
    pool.maxUses = config.maxUses
  if (typeof config.allowExitOnIdle === 'boolean') pool.allowExitOnIdle = config.allowExitOnIdle
  if (typeof config.connectionTimeoutMillis === 'number') {
    pool.acquireTimeout =
      config.connectionTimeoutMillis > 0 ? Math.min(config.connectionTimeoutMillis, MAX_MS) : MAX_MS
  }
  return { client, pool }
}
