/**
 * The books of a write load under faults: every write has a unique id; a write counts as
 * acknowledged only once its promise resolved. After the faults, the table is compared with the
 * books: every acknowledged id must be there, every failure that says it was not applied must be
 * absent, and the in-doubt ones are counted apart (they may or may not have been applied).
 */
import { errors } from '../../src/index.js'

/** One write that rejected. */
export interface FailedWrite {
  ids: readonly number[]
  error: unknown
}

/** What the table says about the books. */
export interface LedgerCheck {
  acknowledged: number
  /** Acknowledged ids missing from the table: must be empty. */
  lost: number[]
  failed: number
  inDoubt: number
  /** In-doubt writes whose rows are all there (applied) / none there (not applied). */
  inDoubtApplied: number
  inDoubtNotApplied: number
  /** Failures that said "not applied" (not in doubt) whose rows are there: must be empty. */
  appliedThoughNotInDoubt: string[]
  /**
   * Failures that are not operational taxonomy errors (nor a call refused on a connection the
   * server had dropped), or that say both inDoubt and safeToRetry.
   */
  badErrors: string[]
  /** Failures by class name. */
  byClass: Record<string, number>
}

/** Acknowledged and failed writes, by id. */
export class WriteLedger {
  #next: number
  readonly acknowledged: number[] = []
  readonly failed: FailedWrite[] = []

  constructor(firstId = 1) {
    this.#next = firstId
  }

  /** A fresh id, never handed out before by this ledger. */
  id(): number {
    return this.#next++
  }

  /** Runs `write` for `ids`; books them as acknowledged if it resolves, failed if it rejects. */
  async write(ids: readonly number[], write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write()
    } catch (error) {
      this.failed.push({ ids, error })
      return false
    }
    this.acknowledged.push(...ids)
    return true
  }

  /** Compares the books with `present`, the ids the table holds among those asked for. */
  async check(present: (ids: number[]) => Promise<Set<number>>): Promise<LedgerCheck> {
    const asked = [...this.acknowledged, ...this.failed.flatMap((f) => f.ids)]
    const there = await present(asked)
    const lost = this.acknowledged.filter((id) => !there.has(id))
    const out: LedgerCheck = {
      acknowledged: this.acknowledged.length,
      lost,
      failed: this.failed.length,
      inDoubt: 0,
      inDoubtApplied: 0,
      inDoubtNotApplied: 0,
      appliedThoughNotInDoubt: [],
      badErrors: [],
      byClass: {},
    }
    for (const f of this.failed) {
      const e = f.error
      const name = e instanceof Error ? e.name : typeof e
      out.byClass[name] = (out.byClass[name] ?? 0) + 1
      if (!withinTaxonomy(e)) {
        out.badErrors.push(`${name}: ${String((e as Error)?.message ?? e)}`)
        continue
      }
      if (e.inDoubt && e.safeToRetry) out.badErrors.push(`${name} both inDoubt and safeToRetry`)
      const applied = f.ids.filter((id) => there.has(id)).length
      if (e.inDoubt) {
        out.inDoubt++
        if (applied === f.ids.length) out.inDoubtApplied++
        else if (applied === 0) out.inDoubtNotApplied++
        else out.badErrors.push(`${name}: a write applied in part (${applied}/${f.ids.length})`)
      } else if (applied > 0) {
        out.appliedThoughNotInDoubt.push(
          `${name} (safeToRetry ${e.safeToRetry}) ids ${f.ids.join(',')}: ${e.message}`,
        )
      }
    }
    return out
  }
}

/**
 * A failure a server-side event may cause: an operational error, or a call refused on a
 * connection already lost (ConnectionClosed caused by the ConnectionLost, transient).
 */
export function withinTaxonomy(e: unknown): e is errors.TuskError {
  if (e instanceof errors.OperationalError) return true
  return (
    e instanceof errors.ConnectionClosed && e.transient && e.cause instanceof errors.ConnectionLost
  )
}

/** `[min, median, max]` of `values` (zeros when empty). */
export function spread(values: readonly number[]): [number, number, number] {
  if (values.length === 0) return [0, 0, 0]
  const s = [...values].sort((a, b) => a - b)
  return [s[0]!, s[Math.floor((s.length - 1) / 2)]!, s[s.length - 1]!]
}

/** Open TCP sockets of this process (a leak shows as a count that stays up). */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length
}
