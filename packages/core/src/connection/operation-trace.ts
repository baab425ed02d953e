/**
 * Operation events: a transaction, savepoint, cursor or COPY announced on the
 * `tusk:operation:start` and `tusk:operation:end` channels, so that tracing can draw them as
 * spans with the statements they contain as children. Nothing is built while nobody subscribes.
 */
import { CHANNELS, channel, nextEventId } from '../runtime/diagnostics.js'

const operationStart = channel(CHANNELS.operationStart)
const operationEnd = channel(CHANNELS.operationEnd)

/** What an operation event describes. */
export type OperationKind = 'transaction' | 'savepoint' | 'cursor' | 'copy-from' | 'copy-to'

/** What `tusk:operation:start` carries. */
export interface OperationEvent {
  /** Unique among the query and operation events of this process. */
  id: number
  kind: OperationKind
  /** The transaction or savepoint this one runs inside, if any (its event id). */
  parentId: number | undefined
  /** The statement of a cursor or COPY; undefined for transactions and savepoints. */
  query: string | undefined
  processId: number | undefined
  /** `host:port` or socket path. */
  host: string
  database: string | undefined
  user: string | undefined
}

/** What `tusk:operation:end` carries: the start event and how it ended. */
export interface OperationEndEvent extends OperationEvent {
  durationMs: number
  /** What made it fail, when it did. */
  error?: unknown
  /** Rows a cursor read or a COPY moved. */
  rowCount?: number
  /** A transaction's or savepoint's end: its work kept (`commit`) or undone (`rollback`). */
  outcome?: 'commit' | 'rollback'
}

/** The connection an operation runs on, as far as its events need it. */
export interface TraceTarget {
  /** The open transaction and savepoint event ids, innermost last. */
  readonly traceScopes: number[]
  readonly processId: number | undefined
  readonly host: string
  readonly details?: { database?: string; user?: string } | undefined
}

/** How an operation ended, for {@link OperationTrace.end}. */
export interface OperationOutcome {
  error?: unknown
  rowCount?: number
  outcome?: 'commit' | 'rollback'
}

/** One announced operation; `end()` publishes its end once. */
export class OperationTrace {
  readonly #target: TraceTarget
  readonly #event: OperationEvent
  readonly #started = performance.now()
  readonly #scope: boolean
  #ended = false

  constructor(target: TraceTarget, event: OperationEvent, scope: boolean) {
    this.#target = target
    this.#event = event
    this.#scope = scope
    if (scope) target.traceScopes.push(event.id)
  }

  /** The id of its events, for the statements it runs to name as parent. */
  get id(): number {
    return this.#event.id
  }

  /** Publishes the end (once) and closes the scope it opened. */
  end(outcome: OperationOutcome = {}): void {
    if (this.#ended) return
    this.#ended = true
    if (this.#scope) {
      const scopes = this.#target.traceScopes
      const at = scopes.lastIndexOf(this.#event.id)
      if (at >= 0) scopes.splice(at, 1)
    }
    if (!operationEnd.hasSubscribers) return
    operationEnd.publish({
      ...this.#event,
      ...outcome,
      durationMs: performance.now() - this.#started,
    } satisfies OperationEndEvent)
  }
}

/**
 * Announces an operation on `target`, or returns undefined when nobody listens. Transactions and
 * savepoints open a scope: statements and operations started before their end name them as
 * parent. Cursors and COPY do not (other statements interleave with a cursor's reads).
 */
export function traceOperation(
  target: TraceTarget,
  kind: OperationKind,
  query?: string,
): OperationTrace | undefined {
  if (!operationStart.hasSubscribers && !operationEnd.hasSubscribers) return undefined
  const event: OperationEvent = {
    id: nextEventId(),
    kind,
    parentId: target.traceScopes.at(-1),
    query,
    processId: target.processId,
    host: target.host,
    database: target.details?.database,
    user: target.details?.user,
  }
  operationStart.publish(event)
  return new OperationTrace(target, event, kind === 'transaction' || kind === 'savepoint')
}
