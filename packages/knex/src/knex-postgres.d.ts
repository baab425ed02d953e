// Knex's PostgreSQL client ships without type declarations; TuskClient types what it uses of it.
declare module 'knex/lib/dialects/postgres/index.js' {
  const PgClient: unknown
  export default PgClient
}
