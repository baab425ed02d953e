/**
 * What an adapter hands the conformance suite: how to open its ORM on a database, and how to do
 * each thing the cases need through that ORM's own API. Written once per adapter (and once per
 * ORM for the reference run on the stock `pg` driver).
 */

/** A row as the ORM returns it. */
export type Row = Record<string, unknown>

/** What the adapter (or the ORM) can do; cases for missing features are skipped. */
export interface Capabilities {
  /** Errors reach the app as @tusk/core taxonomy classes (on the error or its cause chain). */
  readonly errorClasses: boolean
  /** The ORM streams a result row by row (through a cursor). */
  readonly stream: boolean
  /** An AbortSignal passed to a query cancels it on the server. */
  readonly cancel: boolean
  /** The ORM can map int8 to bigint per instance (`OpenOptions.int8`). */
  readonly typeMapping: boolean
  /** The ORM has a migration runner. */
  readonly migrations: boolean
  /** The ORM can list the tables of the database. */
  readonly introspection: boolean
  /**
   * The ORM's logger shows the BEGIN of a transaction (default true; Prisma Client's does not, as
   * its driver adapters begin transactions themselves).
   */
  readonly logsBegin?: boolean
}

/** How to open the ORM. */
export interface OpenOptions {
  /** URL of the test database (carries `application_name`). */
  readonly url: string
  /** Most connections the ORM's pool may open. */
  readonly max: number
  /** Longest wait (ms) for a pooled connection before the ORM's query fails (default: long). */
  readonly checkoutTimeout?: number
  /** Receives the SQL text of every statement the ORM logs through its own logger. */
  readonly log?: (sql: string) => void
  /** `bigint`: int8 columns come back as JS bigints in this instance only (its own mapping). */
  readonly int8?: 'bigint'
}

/** Transaction settings the cases ask for. */
export interface TransactionSettings {
  readonly isolation?: 'read committed' | 'repeatable read' | 'serializable'
  readonly readOnly?: boolean
}

/** One open ORM instance, with every operation done through the ORM. */
export interface OrmSession {
  /** Raw SQL through the ORM (`$1` placeholders; translate when the ORM uses others). */
  raw(sql: string, params?: readonly unknown[]): Promise<Row[]>
  /** Inserts `row` into `table` and returns the row as the database stored it. */
  insert(table: string, row: Row): Promise<Row>
  /** The row of `table` whose `id` is `id`, or undefined. */
  select(table: string, id: number): Promise<Row | undefined>
  /** Updates the row with `id`; resolves with the number of rows updated. */
  update(table: string, id: number, changes: Row): Promise<number>
  /** Deletes the row with `id`; resolves with the number of rows deleted. */
  delete(table: string, id: number): Promise<number>
  /** Runs `fn` in a transaction: committed when it returns, rolled back (and rethrown) on a throw. */
  transaction<T>(fn: (tx: OrmSession) => Promise<T>, settings?: TransactionSettings): Promise<T>
  /**
   * Runs `fn` in a savepoint (a nested transaction) of this transaction session: released when
   * it returns, rolled back to (and rethrown) on a throw.
   */
  savepoint<T>(fn: (tx: OrmSession) => Promise<T>): Promise<T>
  /**
   * Streams the rows of `sql`, `chunkSize` at a time from the server (when capable); `signal`
   * aborts the stream (with `cancel`).
   */
  stream(
    sql: string,
    params: readonly unknown[],
    chunkSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<Row>
  /** Raw SQL that the signal cancels on the server (when capable). */
  rawWithSignal(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<Row[]>
  /** Applies the suite's migration with the ORM's runner: creates `conf_migrated` (when capable). */
  migrateUp(): Promise<void>
  /** Reverts it: drops `conf_migrated` (when capable). */
  migrateDown(): Promise<void>
  /** Names of the tables in the `public` schema, through the ORM's introspection (when capable). */
  tables(): Promise<string[]>
  /** Ends the ORM and its pool. */
  close(): Promise<void>
}

/**
 * The JS values an ORM gives back for the suite's row of every common type, as it does with its
 * stock `pg` driver: per column, the value after inserting {@link TypesRow} and reading it back.
 * Classes count: an expected `Buffer` needs a `Buffer`, a `Date` a `Date`, and an object of a class
 * named `PostgresInterval` an object whose class has that name (see `shape`).
 */
export type TypesExpectation = Readonly<Record<string, unknown>>

/** An adapter under test, or the reference run of an ORM on the stock `pg` driver. */
export interface Harness {
  /** Adapter name in reports and for the `ADAPTERS` filter, e.g. `kysely` or `kysely-pg`. */
  readonly name: string
  /** The ORM (and version) it drives, e.g. `kysely 0.29.9`. */
  readonly orm: string
  /** True for the stock `pg` run that proves the expectations. */
  readonly reference: boolean
  readonly capabilities: Capabilities
  /** Values of the types row as this ORM returns them with `pg`. */
  readonly expected: TypesExpectation
  /** Values of the edge-case row (`EDGE_VALUES_SQL` in schema.ts) as this ORM returns them with `pg`. */
  readonly expectedEdges: TypesExpectation
  /**
   * Cases the stock driver is known to fail (reference runs only): case title → why. Each is run
   * expecting the failure, so the matrix shows the difference and a fix upstream shows too.
   */
  readonly knownFailures?: Readonly<Record<string, string>>
  /**
   * Cases the ORM itself cannot express, whatever driver is under it (case title → why): registered
   * as skipped, with the reason in the title. For both runs of an ORM alike.
   */
  readonly ormCannot?: Readonly<Record<string, string>>
  /**
   * Turns a timestamptz read through the ORM's raw SQL into a Date (default: the value as it is).
   * For ORMs whose drivers keep timestamps as the server's text (Drizzle parses them only for its
   * own columns), this parses that text the way the ORM's column does.
   */
  readonly rawInstant?: (value: unknown) => unknown
  /** Input values for the types row where this ORM wants other ones than the suite's. */
  readonly inputs?: Readonly<Record<string, unknown>>
  /** Opens the ORM. */
  open(options: OpenOptions): Promise<OrmSession>
  /**
   * The errors to search for the database error, outermost first. Default: the error and its
   * `cause` chain.
   */
  errorChain?(error: unknown): unknown[]
}
