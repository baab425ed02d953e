/**
 * The ORM suite's calls as a Kysely user writes them, shared by every Kysely setup: only the
 * dialect differs between them.
 */
import { type ColumnType, type Kysely, sql } from 'kysely'
import { INSERT_TABLE, ORM_TABLE } from '../fixtures.js'
import type { OrmTarget } from './orm-driver.js'

/** The 8-column shape as Kysely sees it (jsonb is read back parsed, written as JSON text). */
type BenchRowTable = {
  id: number
  big: string
  label: string
  flag: boolean
  ratio: number
  amount: string
  created: Date
  doc: ColumnType<unknown, string, string>
}

/** The tables the ORM suite touches. */
export type BenchDatabase = {
  [ORM_TABLE]: BenchRowTable
  [INSERT_TABLE]: BenchRowTable
}

/** The suite's calls on `db`; `close` destroys it (and so ends its pool). */
export function kyselyTarget(db: Kysely<BenchDatabase>): OrmTarget {
  return {
    selectById: (id) =>
      db.selectFrom(ORM_TABLE).selectAll().where('id', '=', id).executeTakeFirst(),
    selectAll: () => db.selectFrom(ORM_TABLE).selectAll().execute(),
    insertRows: async (rows) => {
      await db.insertInto(INSERT_TABLE).values(rows).execute()
    },
    truncateInserted: async () => {
      await sql`TRUNCATE ${sql.table(INSERT_TABLE)}`.execute(db)
    },
    countInserted: async () => {
      const { n } = await db
        .selectFrom(INSERT_TABLE)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(n)
    },
    close: () => db.destroy(),
  }
}
