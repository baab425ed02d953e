/**
 * `pg.defaults`: the connection defaults `pg` reads when a config leaves them out, and two
 * switches — `parseInt8` (int8 as numbers, module-wide) and `parseInputDatesAsUTC` (Date
 * parameters sent in UTC rather than local time).
 */
import { INT8_AS_NUMBER, INT8_AS_STRING } from './type-parsers.js'
import { setTypeParser } from './types.js'

let parseInt8 = false

/** The defaults object; unset connection fields stay undefined so libpq's rules apply. */
export const defaults = {
  /** Host when a config gives none (undefined: PGHOST, then libpq's default). */
  host: undefined as string | undefined,
  /** User when a config gives none (undefined: PGUSER, then the OS user). */
  user: undefined as string | undefined,
  /** Database when a config gives none (undefined: PGDATABASE, then the user name). */
  database: undefined as string | undefined,
  /** Password when a config gives none (undefined: PGPASSWORD, then `.pgpass`). */
  password: undefined as string | undefined,
  /** Port when a config gives none (undefined: PGPORT, then 5432). */
  port: undefined as number | undefined,
  /** Rows to fetch per round trip; 0 means all (kept for compatibility, unused by queries). */
  rows: 0,
  /** Whether binary results are requested (always text here). */
  binary: false,
  /** Pool size when a pool config gives none. */
  max: 10,
  /** Idle time in ms before a pooled client closes (pg's default: 10 s). */
  idleTimeoutMillis: 10_000,
  /** Client encoding (only UTF8 is supported). */
  client_encoding: '',
  /** `ssl` when a config gives none. */
  ssl: false,
  /** `application_name` when a config gives none. */
  application_name: undefined as string | undefined,
  /** `fallback_application_name` when a config gives none. */
  fallback_application_name: undefined as string | undefined,
  /** `options` (startup options) when a config gives none. */
  options: undefined as string | undefined,
  /** Send Date parameters in UTC instead of the process's local time zone. */
  parseInputDatesAsUTC: false,
  /** Server-side `statement_timeout` in ms (false: the server's). */
  statement_timeout: false as number | false,
  /** Server-side `lock_timeout` in ms (false: the server's). */
  lock_timeout: false as number | false,
  /** Server-side `idle_in_transaction_session_timeout` in ms (false: the server's). */
  idle_in_transaction_session_timeout: false as number | false,
  /** Client-side time limit of each query in ms (false: none). */
  query_timeout: false as number | false,
  /** Connect timeout in ms (0: none). */
  connect_timeout: 0,
  /** TCP keepalive. */
  keepalives: 1,
  /** Seconds of idle before the first keepalive probe. */
  keepalives_idle: 0,
  /** int8 (and int8[]) as JS numbers instead of strings, for every client of this module. */
  get parseInt8(): boolean {
    return parseInt8
  },
  set parseInt8(value: boolean) {
    parseInt8 = Boolean(value)
    for (const [oid, parser] of parseInt8 ? INT8_AS_NUMBER : INT8_AS_STRING)
      setTypeParser(oid, parser)
  },
}
