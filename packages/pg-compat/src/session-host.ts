/**
 * The hook that lets a submittable run on a client's @tusk/core session directly, instead of
 * replaying `pg`'s protocol steps (`@tusk/pg-cursor` and `@tusk/pg-query-stream` use it). The
 * client keeps its `pg` ordering: the session is lent when the submittable's turn comes, and the
 * client's later queries wait until the submittable gives it back.
 */
import type { Session } from '@tusk/core'
import type { CustomTypesConfig } from './types.js'

/**
 * The method key a submittable defines to be handed the session (a `Symbol.for` key, so a second
 * copy of this package recognises it too). When a submittable passed to `client.query` has a
 * function under this key, the client calls it with a {@link SessionLoan} instead of calling
 * `submit`.
 */
export const hostSession: unique symbol = Symbol.for('tusk.pg-compat.hostSession')

/** What a client lends a {@link SessionSubmittable} for the length of its turn. */
export interface SessionLoan {
  /**
   * The client's session. It decodes every column as the server's text (a string, or null for
   * NULL), so that `pg`'s parsers — {@link SessionLoan.types} — decide the values. Valid until
   * `done()` is called; using it afterwards is using a connection someone else may hold.
   */
  readonly session: Session
  /** The client's parsers (its own `types`, then the pool's, then `pg.types`). */
  readonly types: CustomTypesConfig
  /**
   * Gives the session back: the client's next query runs. Call it once, when the submittable
   * has finished with the session (closed, read to the end, or failed); later calls do nothing.
   */
  done(): void
}

/** A submittable that runs on the lent session (see {@link hostSession}). */
export interface SessionSubmittable {
  /** Called once, when it is this submittable's turn on the client. */
  [hostSession](loan: SessionLoan): void
  /**
   * Called instead when the client cannot run it (closed, or failed to connect); the
   * submittable is never lent a session then.
   */
  handleError?(error: Error): void
}

/** Whether `value` asks to be lent the session. */
export function isSessionSubmittable(value: object): value is SessionSubmittable {
  return typeof (value as Partial<SessionSubmittable>)[hostSession] === 'function'
}
