/**
 * What the connection's queue holds: one request's view of the backend messages answering it.
 * Pure: imports protocol types and errors only.
 */
import type { TuskError } from '../errors/base.js'
import type { BackendMessage } from '../protocol/backend.js'
import type { DataRowSink } from '../protocol/decoder.js'

/** One request in a connection's FIFO; the head receives every non-async backend message. */
export interface Operation {
  /** SQL text, for error context. */
  readonly query?: string | undefined
  /**
   * True once the request's bytes were handed to the transport (set by the connection when it
   * writes them; queued or held behind a barrier is not sent). Decides `inDoubt`/`safeToRetry`.
   */
  sent: boolean
  /** Take one message; return true when the request is complete (usually at ReadyForQuery). */
  handle(message: BackendMessage): boolean
  /**
   * Takes DataRows read in place instead of as messages, when set: it must do what `handle`
   * does with a DataRow (which never completes a request).
   */
  readonly rowSink?: DataRowSink | undefined
  /** The connection failed before the request completed. */
  fail(error: TuskError): void
  /**
   * Nothing queued after this request may reach the server before it completes (a COPY: in
   * copy-in mode the server takes any other message as a protocol violation).
   */
  barrier?: boolean
}
