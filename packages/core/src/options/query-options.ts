// The rules of QueryOptions (connection and transaction `query`) and PoolQueryOptions.
import {
  arrayOf,
  BOOLEAN,
  count,
  FUNCTION,
  milliseconds,
  nested,
  numberIn,
  oneOf,
  type Rule,
  SIGNAL,
} from './rules.js'
import { defineSchema, extendSchema, type OptionSchema } from './schema.js'
import { TYPE_OPTIONS } from './type-options.js'

/** `types` of one query or cursor: TypeOptions only (a registry belongs to the connection). */
export const QUERY_TYPES: Rule = nested(
  TYPE_OPTIONS,
  'TypeOptions ({ int8, numeric, dates, timestamps, parsers, codecs })',
)

/** `rowMode` of a query or cursor. */
export const ROW_MODE: Rule = oneOf(['object', 'array'])

/** QueryOptions: the options of `query(text, params?, options?)`. */
export const QUERY_OPTIONS: OptionSchema = defineSchema(
  'query option',
  'query(text, params, { … })',
  {
    rowMode: ROW_MODE,
    rowBuilder: FUNCTION,
    paramTypes: arrayOf(numberIn(0, 4_294_967_295, true), 'type OIDs'),
    prepare: BOOLEAN,
    signal: SIGNAL,
    timeout: milliseconds(),
    statementTimeout: milliseconds(),
    lockTimeout: milliseconds(),
    idleInTransactionSessionTimeout: milliseconds(),
    types: QUERY_TYPES,
    maxRows: count(0),
    maxBytes: numberIn(0, Number.MAX_SAFE_INTEGER, true),
  },
)

/** PoolQueryOptions: a query's options plus `pipeline`. */
export const POOL_QUERY_OPTIONS: OptionSchema = extendSchema(
  QUERY_OPTIONS,
  'pool.query option',
  'pool.query(text, params, { … })',
  { pipeline: BOOLEAN },
)
