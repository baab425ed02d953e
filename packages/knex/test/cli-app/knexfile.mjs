// The same knexfile as an ES module.
import { TuskClient } from '@tusk/knex'

export default {
  client: TuskClient,
  connection: process.env.TUSK_TEST_URL,
  pool: { min: 0, max: 2 },
  migrations: { directory: './migrations', tableName: 'knex_cli_migrations' },
  seeds: { directory: './seeds' },
}
