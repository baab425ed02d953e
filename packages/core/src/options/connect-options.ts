// The rules of ConnectOptions: the second argument of connect() (and, with the pool's own, of
// createPool()).
import {
  BOOLEAN,
  count,
  either,
  FUNCTION,
  milliseconds,
  nested,
  numberIn,
  OBJECT,
  oneOf,
  type Rule,
  SIGNAL,
  STRING,
  TYPE_REGISTRY,
} from './rules.js'
import { defineSchema, type OptionSchema } from './schema.js'
import { TYPE_OPTIONS } from './type-options.js'

/** `types` where a registry is accepted too (connection and pool options). */
export const TYPES_OR_REGISTRY: Rule = either(
  nested(TYPE_OPTIONS, 'TypeOptions ({ int8, numeric, dates, timestamps, parsers, codecs })'),
  TYPE_REGISTRY,
)

/** A logger: an object with optional debug/info/warn/error methods. */
const LOGGER: Rule = {
  accepts: 'an object with debug/info/warn/error methods',
  test: (v) =>
    OBJECT.test(v) &&
    ['debug', 'info', 'warn', 'error'].every((level) => {
      const m = (v as Record<string, unknown>)[level]
      return m === undefined || typeof m === 'function'
    }),
}

/** The rules shared by connect() and createPool(). */
/** `logQueries`: which statements the logger gets, and at which level. */
export const QUERY_LOG_OPTIONS: OptionSchema = defineSchema(
  'logQueries option',
  'connect(conninfo, { logQueries: { … } })',
  { slowerThanMs: milliseconds(), level: oneOf(['debug', 'info', 'warn']), text: BOOLEAN },
)

/** `lockDiagnosis: { timeout }`: the bound of a diagnosis. */
export const LOCK_DIAGNOSIS_OPTIONS: OptionSchema = defineSchema(
  'lockDiagnosis option',
  'connect(conninfo, { lockDiagnosis: { … } })',
  { timeout: milliseconds(1) },
)

export const CONNECT_RULES: Readonly<Record<string, Rule>> = {
  onNotice: FUNCTION,
  onNotification: FUNCTION,
  onClose: FUNCTION,
  logger: LOGGER,
  statementCacheSize: count(0),
  prepareThreshold: count(0),
  prepare: BOOLEAN,
  maxRows: count(0),
  maxBytes: numberIn(0, Number.MAX_SAFE_INTEGER, true),
  statementTimeout: milliseconds(),
  lockTimeout: milliseconds(),
  idleInTransactionSessionTimeout: milliseconds(),
  types: TYPES_OR_REGISTRY,
  signal: SIGNAL,
  maxMessageSize: numberIn(4, 2_147_483_647, true),
  runtime: OBJECT,
  eagerStacks: BOOLEAN,
  password: { ...either(STRING, FUNCTION), secret: true },
  // Exact milliseconds per connect attempt, 0 = none (the connect_timeout keyword is seconds).
  connectTimeout: milliseconds(),
  cancelGrace: milliseconds(),
  logQueries: nested(QUERY_LOG_OPTIONS, 'an object { slowerThanMs?, level?, text? }'),
  lockDiagnosis: either(BOOLEAN, nested(LOCK_DIAGNOSIS_OPTIONS, 'an object { timeout? }')),
  pooler: oneOf(['session', 'transaction']),
  statementComment: FUNCTION,
}

/** ConnectOptions: the second argument of connect(). */
export const CONNECT_OPTIONS: OptionSchema = defineSchema(
  'connection option',
  'connect(conninfo, { … }) or createPool(conninfo, { … })',
  CONNECT_RULES,
)
