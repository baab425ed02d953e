/**
 * What the ORM suite asks of an ORM: the four calls its workloads time, written the way the ORM's
 * users write them. One file per ORM setup (the ORM over Tusk, the same ORM over `pg`) implements
 * it; src/orm/registry.ts lists them.
 */
import type { Row } from '../drivers/driver.js'

/** One row of the 8-column tables as an ORM inserts it (src/fixtures.ts's `rowValues`). */
export interface OrmRow {
  id: number
  big: string
  label: string
  flag: boolean
  ratio: number
  amount: string
  created: Date
  /** JSON text. */
  doc: string
}

/** An ORM instance over a pool, as the workloads use it. */
export interface OrmTarget {
  /** The row of the ORM table with this id (the primary key), every column selected. */
  selectById(id: number): Promise<Row | undefined>
  /** Every row of the ORM table, every column. */
  selectAll(): Promise<readonly Row[]>
  /** Inserts `rows` into the insert table in one statement. */
  insertRows(rows: readonly OrmRow[]): Promise<void>
  /** Empties the insert table (untimed). */
  truncateInserted(): Promise<void>
  /** Rows in the insert table (untimed). */
  countInserted(): Promise<number>
  /** Ends the pool. */
  close(): Promise<void>
}

/** A loaded ORM setup. */
export interface OrmAdapter {
  /** Packages and versions as installed, e.g. `kysely 0.29.9, pg 8.23.1`. */
  version: string
  /** Builds the ORM over a pool of `poolSize` connections to `url`. */
  open(url: string, poolSize: number): Promise<OrmTarget>
  /** Remarks printed under the ORM table. */
  notes: string[]
}
