/**
 * The conformance suite: one list of cases every Tusk adapter runs through its own ORM API, once
 * per server version, with a reference run of the same ORM on the stock `pg` driver proving the
 * expectations. An adapter contributes a {@link Harness}; `runConformance(harness)` does the rest.
 * @packageDocumentation
 */

export { shape } from '@tusk/testkit/shape'
export type {
  Capabilities,
  Harness,
  OpenOptions,
  OrmSession,
  Row,
  TransactionSettings,
  TypesExpectation,
} from './harness.js'
export {
  adapterSelected,
  type ConformanceOptions,
  runConformance,
  STREAM_CHUNK,
  STREAM_ROWS,
  STREAM_RSS_BOUND_BYTES,
  SUITE_PREFIX,
} from './run.js'
export { nullTypesRow, SCHEMA_SQL, SCHEMA_TABLES, typesRow } from './schema.js'
