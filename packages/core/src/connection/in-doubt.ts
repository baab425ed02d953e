/**
 * Which requests lost with their connection may have taken effect on the server, from the
 * statement texts and the transaction status at the last ReadyForQuery. Pure; run only when a
 * connection fails, never per query.
 *
 * A statement inside a transaction block takes effect only through a later COMMIT, so when the
 * link fails it is not in doubt (the server rolls the block back); the COMMIT is. In autocommit
 * every written statement may have run. BEGIN, ROLLBACK, SAVEPOINT and RELEASE change nothing
 * durable. A script of several statements (simple protocol) is taken as in doubt whenever written.
 */
import type { TransactionStatus } from '../protocol/backend.js'
import { startsWithKeyword } from '../sql/keyword.js'
import type { Operation } from './operation.js'

const BEGIN = ['begin', 'start']
const COMMIT = ['commit', 'end']
const ROLLBACK = ['rollback', 'abort']
const SAVEPOINT = ['savepoint', 'release']
const TO = /^\s*(?:rollback|abort)\s+(?:work\s+|transaction\s+)?to\b/i

/** True when `text` holds more than one statement (a `;` followed by more than blanks). */
export function isScript(text: string): boolean {
  const i = text.indexOf(';')
  return i >= 0 && text.slice(i + 1).trim().length > 0
}

/**
 * The requests of `ops` (in queue order) whose effects may have been applied: written to the
 * server, and not provably undone by the transaction block they ran in. `status` is the
 * transaction status before the first of them.
 */
export function requestsInDoubt(
  ops: readonly Operation[],
  status: TransactionStatus,
): Set<Operation> {
  const inDoubt = new Set<Operation>()
  let s = status
  for (const op of ops) {
    if (!op.sent) continue
    const text = op.query
    // Requests of the driver's own without SQL (statement Close, describes) change nothing.
    if (text === undefined) continue
    if (isScript(text)) {
      inDoubt.add(op)
      continue
    }
    if (startsWithKeyword(text, BEGIN)) s = 'T'
    else if (startsWithKeyword(text, COMMIT)) {
      if (s === 'T') inDoubt.add(op)
      s = 'I'
    } else if (startsWithKeyword(text, ROLLBACK)) {
      if (!TO.test(text)) s = 'I'
    } else if (startsWithKeyword(text, SAVEPOINT)) {
      // Inside the block: nothing durable.
    } else if (s === 'I') inDoubt.add(op)
  }
  return inDoubt
}
