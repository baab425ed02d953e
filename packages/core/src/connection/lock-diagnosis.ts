/**
 * Lock-wait diagnosis: when a statement waiting on a lock is canceled or times out, who holds the
 * lock? Asked on a separate short-lived connection, bounded, at most one at a time in the process,
 * so that diagnosing an incident can never make it worse.
 */
import type { LockBlocker } from '../errors/base.js'

/** Runs one statement on a fresh side connection to the same server and closes it. */
export type SideQuery = (
  text: string,
  params: readonly unknown[],
  boundMs: number,
) => Promise<Record<string, unknown>[]>

/** Default bound of a diagnosis (connect and query), in ms. */
export const DEFAULT_LOCK_DIAGNOSIS_MS = 300

const COLUMNS = `a.state, a.application_name,
  (extract(epoch from clock_timestamp() - a.xact_start) * 1000)::float8 as xact_ms,
  left(a.query, 200) as query`

/** The blockers of a waiting backend ($1), and theirs, four levels deep, nearest first. */
const CHAIN_SQL = `with recursive chain(pid, blocks, depth) as (
    select b.pid, $1::int, 1 from unnest(pg_blocking_pids($1::int)) as b(pid)
  union all
    select b.pid, c.pid, c.depth + 1
      from chain c cross join lateral unnest(pg_blocking_pids(c.pid)) as b(pid)
     where c.depth < 4
  ), firsts as (
    select distinct on (pid) pid, blocks, depth from chain order by pid, depth
  )
  select f.pid, f.blocks, ${COLUMNS}
    from firsts f join pg_stat_activity a on a.pid = f.pid
   order by f.depth, f.pid`

/**
 * Sessions holding a lock stronger than a plain read on relation $1, other than the failed
 * statement's backend ($2): after a lock_timeout or NOWAIT the wait is over, so the holders of
 * the relation's locks stand in for the blockers.
 */
const HOLDERS_SQL = `select a.pid, $2::int as blocks, ${COLUMNS}
    from pg_stat_activity a
   where a.pid <> $2::int
     and a.pid in (select l.pid from pg_locks l
                    where l.relation = to_regclass($1) and l.granted and l.mode <> 'AccessShareLock')
   order by a.xact_start nulls last, a.pid`

let inFlight = false

/** The relation a lock error names (`… in relation "accounts"`), from its message or context. */
export function lockedRelation(message: string, where: string | undefined): string | undefined {
  const m = /relation "((?:[^"]|"")+)"/.exec(`${message}\n${where ?? ''}`)
  return m ? `"${m[1]}"` : undefined
}

/**
 * Asks who blocks backend `victim` (while it still waits: `relation` undefined) or who holds
 * locks on `relation` (after the wait ended). Resolves undefined when another diagnosis is
 * running, when it fails, or past `boundMs`; never rejects.
 */
export async function diagnoseLockWait(
  side: SideQuery,
  victim: number,
  relation: string | undefined,
  boundMs: number,
): Promise<LockBlocker[] | undefined> {
  if (inFlight) return undefined
  inFlight = true
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const rows = await Promise.race([
      relation === undefined
        ? side(CHAIN_SQL, [victim], boundMs)
        : side(HOLDERS_SQL, [relation, victim], boundMs),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), boundMs)
      }),
    ])
    return rows?.map((r) => ({
      pid: Number(r.pid),
      blocks: Number(r.blocks),
      state: (r.state as string | null) ?? null,
      applicationName: String(r.application_name ?? ''),
      transactionAgeMs: r.xact_ms === null ? null : Math.round(Number(r.xact_ms)),
      query: String(r.query ?? ''),
    }))
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
    inFlight = false
  }
}

/** One line per blocker for an error message: pid, state, transaction age, app, statement. */
export function describeBlockers(blockers: readonly LockBlocker[]): string {
  const lines = blockers.map((b) => {
    const age =
      b.transactionAgeMs === null
        ? ''
        : `, transaction open ${(b.transactionAgeMs / 1000).toFixed(1)} s`
    const app = b.applicationName ? `, application "${b.applicationName}"` : ''
    const query = b.query.replace(/\s+/g, ' ').slice(0, 120)
    return `  pid ${b.pid} (blocks ${b.blocks}): ${b.state ?? 'unknown state'}${age}${app}; last statement: ${query}`
  })
  return `blocked by ${blockers.length === 1 ? 'a session' : `${blockers.length} sessions`}:\n${lines.join('\n')}`
}
