// Which failed connect attempts fail the checkouts waiting for them at once, rather than after
// acquireTimeout: nothing listens there (refused, no such host, no socket file), or this process
// may not reach it, so waiting seconds for a retry only hides the reason.
import { ConnectionError } from '../errors/client.js'

/**
 * System errors that say no server is there now (not a slow or lossy network), or that the
 * process is not allowed to reach it (`EACCES` on a socket file, `EPERM` from a sandbox).
 */
const NOTHING_THERE: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ENOTFOUND',
  'EACCES',
  'EPERM',
])

/**
 * Deno's refusal of a permission the process was not granted (`--allow-net`): an error with
 * this name and no system code, which no retry can cure.
 */
const PERMISSION_DENIED: ReadonlySet<string> = new Set(['NotCapable', 'PermissionDenied'])

/**
 * True when `err` (or, for a multi-host attempt, the last host's failure it wraps) is a refused
 * connection, an unknown host name, a missing Unix socket file, or a connection the process is
 * not permitted to make.
 */
export function nothingListens(err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; depth < 3 && e instanceof ConnectionError; depth++) {
    if (e.errno !== undefined) return NOTHING_THERE.has(e.errno)
    if (e.cause instanceof Error && PERMISSION_DENIED.has(e.cause.name)) return true
    e = e.cause
  }
  return false
}
