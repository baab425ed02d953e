/**
 * @tusk/knex: Knex's PostgreSQL client on @tusk/core. Swap `client: 'pg'` for
 * `client: TuskClient`; everything else in the Knex configuration stays.
 */
export { PostgresInterval, pgTypes } from '@tusk/core/pg'
export {
  TuskClient,
  type TuskClientOptions,
  type TuskKnexConfig,
  type TypeMapping,
} from './client.js'
export { type QueryCallback, TuskKnexConnection } from './connection.js'
