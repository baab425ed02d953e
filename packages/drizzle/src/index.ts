/**
 * @tusk/drizzle: Drizzle ORM's PostgreSQL driver on @tusk/core. `drizzle(url | pool | config)`
 * returns a Drizzle database whose queries, prepared statements, transactions and savepoints run
 * on @tusk/core, with streaming (`iterate`), cancel (`$withOptions({ signal })`, transaction
 * `signal`) and the core's error classes as the `cause` of Drizzle's errors.
 * @packageDocumentation
 */
export {
  drizzle,
  type TuskClient,
  type TuskClientConfig,
  type TuskConnectionConfig,
  TuskDatabase,
  type TuskDrizzleConfig,
} from './driver.js'
export {
  type IterableDatabase,
  type IterableQuery,
  type IterateQueryOptions,
  iterate,
} from './iterate.js'
export {
  type IterateOptions,
  TuskPreparedQuery,
  type TuskQueryable,
  type TuskQueryResultHKT,
  TuskSession,
  type TuskStatementOptions,
  TuskTransaction,
  type TuskTransactionConfig,
  type TuskTransactionHost,
} from './session.js'
export { drizzleTypes, drizzleTypesWith } from './types.js'
