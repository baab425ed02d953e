// The data source the TypeORM CLI loads (`typeorm -d data-source.cjs …`): one entity, the
// migrations of TUSK_MIGRATIONS_DIR, on Tusk through @tusk/typeorm. TUSK_TYPEORM names the
// installed TypeORM release to build it with (the CLI under test is the same release).
require('reflect-metadata')
const { DataSource, EntitySchema } = require(process.env.TUSK_TYPEORM ?? 'typeorm')
const { dataSourceOptions } = require('@tusk/typeorm')

const Note = new EntitySchema({
  name: 'Note',
  tableName: 'cli_notes',
  columns: {
    id: { type: 'int', primary: true, generated: true },
    body: { type: 'text' },
    createdAt: { type: 'timestamptz', createDate: true },
  },
})

// A named export: every release's CLI finds it (0.3.0 looks only among the named ones).
exports.AppDataSource = new DataSource(
  dataSourceOptions({
    url: process.env.DATABASE_URL,
    entities: [Note],
    migrations: [`${process.env.TUSK_MIGRATIONS_DIR}/*.js`],
  }),
)
