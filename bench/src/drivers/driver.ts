/**
 * What a benchmark asks of an in-process driver: a handful of small calls, one per kind of work.
 * Workloads time these calls; adapters only translate them to the driver's own API.
 */

/** One row as the drivers return it by default: an object keyed by column name. */
export type Row = Record<string, unknown>

/** Something that runs `SELECT $1::int`: one connection or a pool. */
export interface IntQuery {
  /** Runs `SELECT $1::int` with `value`; resolves once the result is decoded. */
  selectInt(value: number): Promise<unknown>
  /** Closes every connection it holds. */
  close(): Promise<void>
}

/**
 * One checkout: acquires a connection the way the driver's users do, awaits `hold` (when given)
 * while it holds it, and gives it back without running a query; resolves once it is released.
 */
export type Checkout = (hold?: () => Promise<void>) => Promise<void>

/** A pool: `SELECT $1::int` on any of its connections, and checkouts. */
export interface PoolTarget extends IntQuery {
  /** One acquire + release; undefined when the driver cannot check a connection out. */
  checkout: Checkout | undefined
}

/** One server session. */
export interface Session extends IntQuery {
  /** Runs `SELECT 1` the way the driver runs a query without parameters. */
  selectOne(): Promise<unknown>
  /** Runs `text` and returns every row, fully decoded, as one array. */
  readAll(text: string): Promise<readonly Row[]>
  /** Runs `text` with positional parameters; the result is discarded. */
  execute(text: string, params: readonly unknown[]): Promise<unknown>
  /**
   * The same, as a named prepared statement where the driver makes users ask for one (`pg`'s
   * `{ name, text, values }`); a driver that prepares on its own runs it as `execute` does.
   */
  executeNamed(name: string, text: string, params: readonly unknown[]): Promise<unknown>
  /** Runs `COPY ... FROM STDIN` and sends `chunks` as its data; undefined when unsupported. */
  copyIn: ((text: string, chunks: readonly Buffer[]) => Promise<void>) | undefined
  /**
   * Reads `text` through the driver's cursor or stream, `batchSize` rows at a time, calling
   * `onRow` for each row; resolves with the row count. Undefined when unsupported.
   */
  cursor:
    | ((text: string, batchSize: number, onRow: (row: Row) => void) => Promise<number>)
    | undefined
}

/** A capability a workload may need beyond a plain session. */
export type Capability = 'pool' | 'pipelinedPool' | 'checkout' | 'copyIn' | 'cursor'

/**
 * How a pool runs statements: `serial` one per connection at a time (pg's Pool, pgbench's
 * clients), `pipelined` onto busy connections once all are busy, `default` as the driver ships.
 */
export type PoolMode = 'default' | 'serial' | 'pipelined'

/** A loaded in-process driver. */
export interface DriverAdapter {
  /** Package and version as installed, e.g. `pg 8.23.1`. */
  version: string
  /** Opens one connection to `url`. */
  connect(url: string): Promise<Session>
  /**
   * Opens a pool of `size` connections running statements as `mode` says; undefined when the
   * driver has none (see `missing`). Throws NotAvailable for a mode it cannot run.
   */
  pool: ((url: string, size: number, mode: PoolMode) => Promise<PoolTarget>) | undefined
  /** Why a capability is missing, for the results ("n/a (not implemented yet)"). */
  missing: Partial<Record<Capability, string>>
  /** Remarks printed under the results table, e.g. how a cursor is emulated. */
  notes: string[]
}

/** Thrown by an adapter or workload when the driver cannot run the workload; reported as n/a. */
export class NotAvailable extends Error {
  override name = 'NotAvailable'
}
