/**
 * Knex's `connection` settings, written for `pg`, as @tusk/core's two arguments: libpq connection
 * parameters, and connection options. Pure; no I/O.
 */
import { type ConnectionOptions, type ConnectOptions, errors } from '@tusk/core'

/** The @tusk/core connection options a Knex `connection` object may carry beside libpq's. */
const CONNECT_OPTION_NAMES: ReadonlySet<string> = new Set([
  'types',
  'logger',
  'onNotice',
  'onNotification',
  'onClose',
  'prepareThreshold',
  'statementCacheSize',
  'prepare',
  'maxRows',
  'maxBytes',
  'statementTimeout',
  'lockTimeout',
  'idleInTransactionSessionTimeout',
  'connectTimeout',
  'maxMessageSize',
  'runtime',
  'eagerStacks',
  'cancelGrace',
])

/** `pg` option names with a @tusk/core connection option of the same meaning (milliseconds). */
const PG_TIMEOUTS: Readonly<Record<string, keyof ConnectOptions>> = {
  statement_timeout: 'statementTimeout',
  lock_timeout: 'lockTimeout',
  idle_in_transaction_session_timeout: 'idleInTransactionSessionTimeout',
  connectionTimeoutMillis: 'connectTimeout',
}

/** What `connect(conninfo, options)` takes for one Knex connection. */
export interface TuskConnectionConfig {
  readonly conninfo: ConnectionOptions
  readonly options: ConnectOptions
}

/** `pg`'s `ssl` setting as an `sslmode`; certificates must be files (libpq's parameters). */
function sslmodeOf(ssl: unknown): string | undefined {
  if (ssl === undefined || ssl === null) return undefined
  if (ssl === false) return 'disable'
  if (ssl === true) return 'verify-full'
  if (typeof ssl === 'object') {
    const inline = ['ca', 'cert', 'key'].filter(
      (k) => (ssl as Record<string, unknown>)[k] !== undefined,
    )
    if (inline.length > 0) {
      throw new errors.ConfigError(
        `knex connection option "ssl.${inline[0]}": @tusk/core reads certificates from files; ` +
          'use sslrootcert, sslcert and sslkey (paths) in the connection settings',
      )
    }
    return (ssl as { rejectUnauthorized?: unknown }).rejectUnauthorized === false
      ? 'require'
      : 'verify-full'
  }
  throw new errors.ConfigError('knex connection option "ssl": expected a boolean or an object')
}

/**
 * Splits Knex's connection settings (what `pg.Client` would get: `connectionString`, `host`,
 * `database`, `ssl`, `statement_timeout`, …, or what Knex parsed from a URL) into libpq parameters
 * and @tusk/core options. Unknown names go to the libpq side, where @tusk/core refuses them with
 * a ConfigError that suggests the right one.
 */
export function tuskConnectionConfig(settings: unknown): TuskConnectionConfig {
  if (settings === undefined || settings === null) return { conninfo: {}, options: {} }
  if (typeof settings === 'string') return { conninfo: { connectionString: settings }, options: {} }
  if (typeof settings !== 'object') {
    throw new errors.ConfigError('knex `connection`: expected a string or an object')
  }
  const conninfo: Record<string, unknown> = {}
  const options: Record<string, unknown> = {}
  const source = settings as Record<string, unknown>
  // Knex hides `password` (non-enumerable) on the settings it keeps.
  const entries = Object.entries(source)
  if (!Object.keys(source).includes('password') && source.password !== undefined) {
    entries.push(['password', source.password])
  }
  for (const [key, value] of entries) {
    if (value === undefined) continue
    if (CONNECT_OPTION_NAMES.has(key)) {
      if (
        key === 'types' &&
        typeof (value as { getTypeParser?: unknown }).getTypeParser === 'function'
      ) {
        throw new errors.ConfigError(
          'knex connection option "types": a pg type parser object; give @tusk/core type options ' +
            '(e.g. { int8: "bigint", parsers: { … } }) instead',
        )
      }
      options[key] = value
    } else if (key in PG_TIMEOUTS) {
      options[PG_TIMEOUTS[key] as string] = Number(value)
    } else if (key === 'password' && typeof value === 'function') {
      options.password = value
    } else if (key === 'database') {
      conninfo.dbname = value
    } else if (key === 'ssl') {
      // A URL's own `sslmode` (Knex's parse keeps it) says more than the `ssl` derived from it.
      if (source.sslmode === undefined) conninfo.sslmode = sslmodeOf(value)
    } else if (key === 'keepAlive') {
      conninfo.keepalives = value ? 1 : 0
    } else if (key === 'keepAliveInitialDelayMillis') {
      conninfo.keepalives_idle = Math.max(1, Math.round(Number(value) / 1000))
    } else {
      conninfo[key] = value
    }
  }
  return { conninfo: conninfo as ConnectionOptions, options: options as ConnectOptions }
}

/** The server version as Knex's pg client reports it (`18.1`), from `server_version`. */
export function knexVersion(serverVersion: string): string {
  return /^\S+/.exec(serverVersion)?.[0] ?? serverVersion
}
