// A knexfile as an app writes it: the client is the class, Knex's CLI does the rest.
const { TuskClient } = require('@tusk/knex')

module.exports = {
  client: TuskClient,
  connection: process.env.TUSK_TEST_URL,
  pool: { min: 0, max: 2 },
  migrations: { directory: './migrations', tableName: 'knex_cli_migrations' },
  seeds: { directory: './seeds' },
}
