// The rules of PoolOptions: the second argument of createPool().
import { CONNECT_RULES } from './connect-options.js'
import {
  arrayOf,
  BOOLEAN,
  count,
  either,
  FUNCTION,
  milliseconds,
  NON_EMPTY_STRING,
  nested,
  oneOf,
  SIGNAL,
  STRING,
} from './rules.js'
import { defineSchema, type OptionSchema } from './schema.js'

/** `retryBackoff`: the first delay and the cap of connect retries. */
export const RETRY_BACKOFF_OPTIONS: OptionSchema = defineSchema(
  'retryBackoff option',
  'createPool(conninfo, { retryBackoff: { … } })',
  { baseDelayMs: milliseconds(), maxDelayMs: milliseconds() },
)

/** PoolOptions: every connection option plus the pool's own. */
export const POOL_OPTIONS: OptionSchema = defineSchema(
  'pool option',
  'createPool(conninfo, { … })',
  {
    ...CONNECT_RULES,
    min: count(0),
    max: count(1),
    idleTimeout: milliseconds(),
    maxLifetime: milliseconds(),
    acquireTimeout: milliseconds(),
    maxUses: count(1),
    healthCheckTimeout: milliseconds(1),
    healthCheck: either(milliseconds(), oneOf([false])),
    maxWaiting: count(0),
    leakDetectionThreshold: milliseconds(1),
    slowCheckoutThreshold: milliseconds(),
    init: FUNCTION,
    beforeAcquire: FUNCTION,
    afterRelease: FUNCTION,
    onError: FUNCTION,
    allowExitOnIdle: BOOLEAN,
    retryBackoff: nested(RETRY_BACKOFF_OPTIONS, 'an object { baseDelayMs?, maxDelayMs? }'),
    resetQuery: STRING,
    registerTypes: arrayOf(NON_EMPTY_STRING, 'type names'),
    onListenReconnect: FUNCTION,
    maxPipeline: count(1),
    pipelineStallMs: milliseconds(),
  },
)

/** The options of `pool.connect()` / `pool.acquire()`. */
/** The options of `pool.health()`. */
export const HEALTH_OPTIONS: OptionSchema = defineSchema(
  'health option',
  'pool.health({ timeout })',
  { timeout: milliseconds(1) },
)

export const CHECKOUT_OPTIONS: OptionSchema = defineSchema(
  'checkout option',
  'pool.connect({ signal, timeout })',
  { signal: SIGNAL, timeout: milliseconds() },
)
