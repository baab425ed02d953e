/**
 * The ORM suite's calls as a Knex user writes them, shared by every Knex setup: only the client
 * differs between them.
 */
import type { Knex } from 'knex'
import { INSERT_TABLE, ORM_TABLE } from '../fixtures.js'
import type { OrmTarget } from './orm-driver.js'

/** The suite's calls on `db`; `close` destroys it (and so ends its pool). */
export function knexTarget(db: Knex): OrmTarget {
  return {
    selectById: (id) => db(ORM_TABLE).select('*').where('id', id).first(),
    selectAll: () => db(ORM_TABLE).select('*'),
    insertRows: async (rows) => {
      await db(INSERT_TABLE).insert(rows as unknown as Record<string, unknown>[])
    },
    truncateInserted: async () => {
      await db(INSERT_TABLE).truncate()
    },
    countInserted: async () => {
      const [row] = await db(INSERT_TABLE).count<{ n: string }[]>('* as n')
      return Number(row?.n)
    },
    close: () => db.destroy(),
  }
}
