/**
 * The ORM suite's calls as a TypeORM user writes them (entities declared with EntitySchema,
 * repository methods), shared by every TypeORM setup: only the driver differs between them.
 */
import 'reflect-metadata'
import type { DataSource, DataSourceOptions, EntitySchema } from 'typeorm'
import typeorm from 'typeorm'
import type { Row } from '../drivers/driver.js'
import { INSERT_TABLE, ORM_TABLE } from '../fixtures.js'
import type { OrmRow, OrmTarget } from './orm-driver.js'

/** A row as TypeORM maps it: int8 and numeric as strings (as with pg), jsonb parsed. */
type BenchEntity = Omit<OrmRow, 'doc'> & { doc: unknown }

/** The 8-column shape as a TypeORM entity. */
function entity(name: string, table: string): EntitySchema<BenchEntity> {
  return new typeorm.EntitySchema<BenchEntity>({
    name,
    tableName: table,
    columns: {
      id: { type: 'int', primary: true },
      big: { type: 'bigint' },
      label: { type: 'text' },
      flag: { type: 'boolean' },
      ratio: { type: 'double precision' },
      amount: { type: 'numeric', precision: 14, scale: 2 },
      created: { type: 'timestamptz' },
      doc: { type: 'jsonb' },
    },
  })
}

const OrmEntity = entity('BenchOrm', ORM_TABLE)
const InsertEntity = entity('BenchInsert', INSERT_TABLE)

/** A data source over `options` (its driver and pool), with the suite's two entities. */
export async function typeormTarget(options: DataSourceOptions): Promise<OrmTarget> {
  const ds: DataSource = new typeorm.DataSource({
    ...options,
    entities: [OrmEntity, InsertEntity],
  } as DataSourceOptions)
  await ds.initialize()
  const orm = ds.getRepository(OrmEntity)
  const inserted = ds.getRepository(InsertEntity)
  return {
    selectById: async (id) => ((await orm.findOneBy({ id })) as Row | null) ?? undefined,
    selectAll: async () => (await orm.find()) as Row[],
    insertRows: async (rows) => {
      // jsonb columns take the JSON value; the suite's rows carry it as text.
      await inserted.insert(rows.map((r) => ({ ...r, doc: JSON.parse(r.doc) })))
    },
    truncateInserted: () => inserted.clear(),
    countInserted: () => inserted.count(),
    close: () => ds.destroy(),
  }
}
