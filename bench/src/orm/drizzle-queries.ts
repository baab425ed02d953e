/**
 * The ORM suite's calls as a Drizzle user writes them, shared by every Drizzle setup: only the
 * driver differs between them.
 */
import { count, eq, sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  integer,
  numeric,
  type PgDatabase,
  type PgQueryResultHKT,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'
import { INSERT_TABLE, ORM_TABLE } from '../fixtures.js'
import type { OrmTarget } from './orm-driver.js'

/** jsonb read back as the driver parses it, written as the JSON text the suite's rows carry. */
const jsonText = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'jsonb',
  toDriver: (value) => value as string,
})

/** The 8-column shape as a Drizzle schema declares it. */
function benchTable<N extends string>(name: N) {
  return pgTable(name, {
    id: integer('id').primaryKey(),
    big: bigint('big', { mode: 'number' }),
    label: text('label'),
    flag: boolean('flag'),
    ratio: doublePrecision('ratio'),
    amount: numeric('amount', { precision: 14, scale: 2 }),
    created: timestamp('created', { withTimezone: true }),
    doc: jsonText('doc'),
  })
}

const ormTable = benchTable(ORM_TABLE)
const insertTable = benchTable(INSERT_TABLE)

/** Any Drizzle PostgreSQL database. */
export type AnyDrizzle = PgDatabase<PgQueryResultHKT, Record<string, never>>

/** The suite's calls on `db`; `close` ends its pool or client. */
export function drizzleTarget(db: AnyDrizzle, close: () => Promise<void>): OrmTarget {
  return {
    selectById: async (id) => {
      const [row] = await db.select().from(ormTable).where(eq(ormTable.id, id))
      return row
    },
    selectAll: () => db.select().from(ormTable),
    insertRows: async (rows) => {
      await db.insert(insertTable).values(rows as unknown as (typeof insertTable.$inferInsert)[])
    },
    truncateInserted: async () => {
      await db.execute(sql`TRUNCATE ${insertTable}`)
    },
    countInserted: async () => {
      const [row] = await db.select({ n: count() }).from(insertTable)
      return Number(row?.n)
    },
    close,
  }
}
