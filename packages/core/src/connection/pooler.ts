/**
 * `pooler: 'transaction'`: what a connection behind PgBouncer (or another pooler) in transaction
 * mode must not rely on. Each transaction may run on another server connection, so nothing that
 * lives in the server session survives between them: named prepared statements, settings sent at
 * startup, LISTEN. Pure: it checks and adjusts options, it connects nothing.
 */
import { ConfigError } from '../errors/client.js'

/** How the pooler in front of the server hands out server connections. */
export type PoolerMode = 'session' | 'transaction'

/** The options {@link poolerOptions} reads and adjusts. */
export interface PoolerSensitiveOptions {
  pooler?: PoolerMode | undefined
  prepare?: boolean | undefined
  statementTimeout?: number | undefined
  lockTimeout?: number | undefined
  idleInTransactionSessionTimeout?: number | undefined
}

/** Session settings Tusk sends in the startup packet; a transaction-mode pooler cannot keep them. */
const SESSION_SETTINGS = [
  'statementTimeout',
  'lockTimeout',
  'idleInTransactionSessionTimeout',
] as const

/**
 * Returns `options` with named statements off when `pooler` is `'transaction'`; throws
 * `ConfigError` for an option that would need session state there (`prepare: true`, a session
 * setting). `'session'` and no pooler change nothing.
 */
export function poolerOptions<O extends PoolerSensitiveOptions>(options: O): O {
  if (options.pooler !== 'transaction') return options
  if (options.prepare === true) {
    throw new ConfigError(
      "prepare: true cannot be combined with pooler: 'transaction': a named statement prepared in one transaction may be gone (or belong to another client) in the next",
      { parameter: 'prepare' },
    )
  }
  for (const name of SESSION_SETTINGS) {
    if (options[name] !== undefined) {
      throw new ConfigError(
        `${name} cannot be combined with pooler: 'transaction': it is a session setting, and each transaction may run on another server session; set it on the pooler's or the server's side, or per transaction with SET LOCAL`,
        { parameter: name },
      )
    }
  }
  return { ...options, prepare: false }
}
