// The knexfile: Knex's CLI (`pnpm migrate`, `pnpm seed`) and the app read the same settings.
const { TuskClient } = require('@tusk/knex')

module.exports = {
  client: TuskClient, // was: client: 'pg'
  connection: process.env.DATABASE_URL,
  pool: { min: 0, max: 10 },
  migrations: { directory: `${__dirname}/migrations` },
  seeds: { directory: `${__dirname}/seeds` },
}
