/**
 * The per-connection prepared-statement cache: counts how often each SQL text runs, names it once
 * it reaches `prepareThreshold`, keeps its parameter types and row description, and evicts the
 * least recently used statement past `size`.
 */
import type { FieldDescription } from '../protocol/backend.js'

/** A server-side prepared statement this connection created. */
export interface CachedStatement {
  /** Server-side name, e.g. `tusk_k3x9qa_12`. */
  readonly name: string
  readonly text: string
  /** `pending` until the server answered its Parse/Describe; `ready` afterwards. */
  state: 'pending' | 'ready'
  /** Parameter type OIDs from ParameterDescription (when ready). */
  paramOids: readonly number[] | undefined
  /** Columns from the statement's RowDescription; empty for NoData (when ready). */
  fields: readonly FieldDescription[] | undefined
  /** Executions since it was prepared. */
  uses: number
}

/** Options of the cache. */
export interface StatementCacheOptions {
  /** Most statements kept prepared (default 100); 0 disables preparing. */
  size: number
  /** Executions of the same text before it is prepared (default 5; 0 = prepare at once). */
  prepareThreshold: number
}

/** What to do with one execution of `text`. */
export type StatementPlan =
  | { kind: 'unnamed' }
  | { kind: 'prepare'; statement: CachedStatement }
  | { kind: 'cached'; statement: CachedStatement }

/** An LRU cache of prepared statements keyed by SQL text and explicit parameter types. */
export class StatementCache {
  readonly #statements = new Map<string, CachedStatement>()
  readonly #counts = new Map<string, number>()
  readonly #options: StatementCacheOptions
  #serial = 0
  /**
   * Part of every name this cache gives, different for each connection. Behind a pooler in
   * transaction mode a client's statements land on server connections other clients also use;
   * with names shared between clients (`tusk_1` everywhere), a Bind could run another client's
   * statement of the same name — a wrong result, not an error. With names no other client uses,
   * the worst case is "does not exist" (26000), which the connection re-prepares once.
   */
  readonly #prefix = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')
  /** The statement last moved to (or added at) the end of `#statements`. */
  #newest: CachedStatement | undefined

  constructor(options: StatementCacheOptions) {
    this.#options = options
  }

  /** Number of statements cached. */
  get size(): number {
    return this.#statements.size
  }

  /** Decides how to run `key` now; `evict` receives statements pushed out (to Close them). */
  plan(key: string, text: string, evict: (s: CachedStatement) => void): StatementPlan {
    const hit = this.#statements.get(key)
    if (hit) {
      // Already the most recently used: moving it to the end again would change nothing.
      if (hit !== this.#newest) {
        this.#statements.delete(key)
        this.#statements.set(key, hit)
        this.#newest = hit
      }
      hit.uses++
      return { kind: 'cached', statement: hit }
    }
    if (this.#options.size <= 0) return { kind: 'unnamed' }
    const seen = (this.#counts.get(key) ?? 0) + 1
    if (seen < this.#options.prepareThreshold) {
      this.#counts.set(key, seen)
      if (this.#counts.size > this.#options.size * 10) this.#counts.clear()
      return { kind: 'unnamed' }
    }
    this.#counts.delete(key)
    const statement: CachedStatement = {
      name: `tusk_${this.#prefix}_${++this.#serial}`,
      text,
      state: 'pending',
      paramOids: undefined,
      fields: undefined,
      uses: 1,
    }
    this.#statements.set(key, statement)
    this.#newest = statement
    while (this.#statements.size > this.#options.size) {
      const oldest = this.#statements.keys().next().value as string
      const s = this.#statements.get(oldest)!
      this.#statements.delete(oldest)
      evict(s)
    }
    return { kind: 'prepare', statement }
  }

  /** Forgets `statement` (its Parse failed, or the server no longer knows it). */
  forget(statement: CachedStatement): void {
    for (const [key, s] of this.#statements) {
      if (s === statement) {
        this.#statements.delete(key)
        if (this.#newest === statement) this.#newest = undefined
        return
      }
    }
  }

  /** Forgets everything (e.g. after DISCARD ALL or a changed search_path). */
  clear(): void {
    this.#statements.clear()
    this.#counts.clear()
    this.#newest = undefined
  }

  /** The statements cached, least recently used first. */
  statements(): CachedStatement[] {
    return [...this.#statements.values()]
  }
}
