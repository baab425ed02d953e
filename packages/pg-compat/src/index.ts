/**
 * @tusk/pg-compat — a drop-in replacement for the `pg` module on @tusk/core: `Client`, `Pool`,
 * `Query`, `Result`, `types`, `defaults`, `DatabaseError`, the escape functions and `native`
 * (always null). Alias it as `pg` in package.json and existing code runs unchanged; see README
 * for what differs.
 * @packageDocumentation
 */
import { DatabaseError } from '@tusk/core'
import { Client } from './client.js'
import { defaults } from './defaults.js'
import { escapeIdentifier, escapeLiteral } from './escape.js'
import { Pool } from './pool.js'
import { prepareValue } from './prepare-value.js'
import { Query } from './query.js'
import { Result } from './result.js'
import { TypeOverrides } from './type-overrides.js'
import { types } from './types.js'

export type { PgNotification, PgNotification as Notification } from './client.js'
export type { ClientConfig, PasswordSource, PoolConfig } from './config.js'
export type { ConnectionEvents, ParameterStatusMessage } from './connection-events.js'
export { PoolClient } from './pool.js'
export type { PreparedValue } from './prepare-value.js'
export type { QueryArrayConfig, QueryCallback, QueryConfig } from './query.js'
export type { FieldDef, QueryResultRow } from './result.js'
export type { QueryArrayResult, QueryResult } from './result-types.js'
export {
  hostSession,
  type SessionLoan,
  type SessionSubmittable,
} from './session-host.js'
export type { Connection, Submittable } from './submit-bridge.js'
export type { TypeParser } from './type-parsers.js'
export type { CustomTypesConfig, TypeFormat } from './types.js'
export {
  Client,
  DatabaseError,
  defaults,
  escapeIdentifier,
  escapeLiteral,
  Pool,
  prepareValue,
  Query,
  Result,
  TypeOverrides,
  types,
}

/** pg's native bindings: not offered (the whole driver is TypeScript). */
export const native = null

/** The module as one object, for `import pg from '@tusk/pg-compat'` in CommonJS-interop code. */
const pg = {
  Client,
  Pool,
  Query,
  Result,
  TypeOverrides,
  DatabaseError,
  types,
  defaults,
  escapeIdentifier,
  escapeLiteral,
  prepareValue,
  native,
}

export default pg
