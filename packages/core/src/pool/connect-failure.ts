// Which failed connect attempts fail the checkouts waiting for them at once, rather than after
// acquireTimeout: nothing listens there (refused, no such host, no socket file), so waiting
// seconds for a retry only hides the reason.
import { ConnectionError } from '../errors/client.js'

/** System errors that say no server is there now (not a slow or lossy network). */
const NOTHING_THERE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND'])

/**
 * True when `err` (or, for a multi-host attempt, the last host's failure it wraps) is a refused
 * connection, an unknown host name or a missing Unix socket file.
 */
export function nothingListens(err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; depth < 3 && e instanceof ConnectionError; depth++) {
    if (e.errno !== undefined) return NOTHING_THERE.has(e.errno)
    e = e.cause
  }
  return false
}
