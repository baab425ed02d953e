import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import { defaultTypes } from '../types/index.js'
import { checkOptions } from './check.js'
import { CONNECT_OPTIONS, LOCK_DIAGNOSIS_OPTIONS, QUERY_LOG_OPTIONS } from './connect-options.js'
import { CLOSE_OPTIONS, COPY_FROM_OPTIONS, COPY_TO_OPTIONS, EXEC_OPTIONS } from './copy-options.js'
import { CURSOR_OPTIONS } from './cursor-options.js'
import { CHECKOUT_OPTIONS, HEALTH_OPTIONS, POOL_OPTIONS } from './pool-options.js'
import { POOL_QUERY_OPTIONS, QUERY_OPTIONS } from './query-options.js'
import type { OptionSchema } from './schema.js'
import { TRANSACTION_OPTIONS } from './transaction-options.js'

const fn = (): void => {}
const signal = new AbortController().signal

/** One accepted value for every option of every schema (a new option without one fails below). */
const CONNECT_GOOD: Record<string, unknown> = {
  onNotice: fn,
  onNotification: fn,
  onClose: fn,
  logger: { warn: fn },
  statementCacheSize: 0,
  prepareThreshold: 0,
  prepare: false,
  maxRows: 10,
  maxBytes: 1_000_000,
  statementTimeout: 1_000,
  lockTimeout: 0,
  idleInTransactionSessionTimeout: 60_000,
  types: { int8: 'number', parsers: { int4: (s: string) => s } },
  signal,
  maxMessageSize: 1 << 20,
  runtime: {},
  eagerStacks: true,
  password: () => 'secret',
  connectTimeout: 500,
  cancelGrace: 1_000,
  logQueries: { slowerThanMs: 10, level: 'warn', text: false },
  lockDiagnosis: { timeout: 100 },
  pooler: 'transaction',
  statementComment: () => undefined,
}
const QUERY_GOOD: Record<string, unknown> = {
  rowMode: 'array',
  rowBuilder: () => (values: readonly unknown[]) => values[0],
  paramTypes: [23, 0],
  prepare: false,
  signal,
  timeout: 100,
  statementTimeout: 100,
  lockTimeout: 100,
  idleInTransactionSessionTimeout: 100,
  types: { numeric: 'number', dates: 'date', timestamps: 'string' },
  maxRows: 0,
  maxBytes: 0,
}
const GOOD: [OptionSchema, Record<string, unknown>][] = [
  [CONNECT_OPTIONS, CONNECT_GOOD],
  [
    POOL_OPTIONS,
    {
      ...CONNECT_GOOD,
      types: defaultTypes,
      min: 0,
      max: 5,
      idleTimeout: 0,
      maxLifetime: 0,
      acquireTimeout: 0,
      maxUses: 1,
      connectTimeout: 1_000,
      healthCheckTimeout: 100,
      healthCheck: false,
      maxWaiting: 0,
      leakDetectionThreshold: 1_000,
      slowCheckoutThreshold: 100,
      init: async () => {},
      beforeAcquire: () => true,
      afterRelease: async () => true,
      onError: fn,
      allowExitOnIdle: true,
      retryBackoff: { baseDelayMs: 10, maxDelayMs: 100 },
      resetQuery: 'DISCARD ALL',
      registerTypes: ['mood', 'public.point3'],
      onListenReconnect: fn,
      maxPipeline: 1,
      pipelineStallMs: 0,
    },
  ],
  [QUERY_OPTIONS, QUERY_GOOD],
  [POOL_QUERY_OPTIONS, { ...QUERY_GOOD, pipeline: false }],
  [
    CURSOR_OPTIONS,
    { batchSize: 1, rowMode: 'object', withHold: true, name: 'c1', signal, timeout: 5, types: {} },
  ],
  [
    TRANSACTION_OPTIONS,
    {
      isolation: 'repeatable read',
      readOnly: true,
      deferrable: false,
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
      signal,
      timeout: 1_000,
    },
  ],
  [COPY_FROM_OPTIONS, { format: 'binary', columnTypes: ['int4', 25], signal, timeout: 0 }],
  [COPY_TO_OPTIONS, { output: 'rows', signal, timeout: 10 }],
  [CHECKOUT_OPTIONS, { signal, timeout: 100 }],
  [
    EXEC_OPTIONS,
    { rowBuilder: () => (values: readonly unknown[]) => values[0], signal, timeout: 100 },
  ],
  [CLOSE_OPTIONS, { timeout: 1_000 }],
  [QUERY_LOG_OPTIONS, { slowerThanMs: 0, level: 'debug', text: true }],
  [HEALTH_OPTIONS, { timeout: 500 }],
  [LOCK_DIAGNOSIS_OPTIONS, { timeout: 250 }],
]

function problem(schema: OptionSchema, options: unknown): ConfigError | undefined {
  try {
    checkOptions(schema, options)
    return undefined
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
}

describe.each(GOOD.map(([s, good]) => [s.what, s, good] as const))('%ss', (_what, schema, good) => {
  it('has an accepted value in this table for every option', () => {
    expect(Object.keys(good).sort()).toEqual([...schema.names].sort())
  })

  it('accepts each option with a valid value, and all of them together', () => {
    for (const [key, value] of Object.entries(good)) {
      expect(problem(schema, { [key]: value }), key).toBeUndefined()
    }
    expect(problem(schema, good)).toBeUndefined()
    expect(problem(schema, undefined)).toBeUndefined()
  })

  it.each([...schema.names])('refuses a value of the wrong type for "%s", naming it', (key) => {
    const err = problem(schema, { [key]: Symbol('bad') })
    expect(err?.message).toMatch(`invalid ${schema.what} "${key}": expected `)
    expect(err?.parameter).toBe(key)
  })

  it('refuses a non-object', () => {
    expect(problem(schema, 'max=5')?.message).toMatch(`${schema.what}s must be an object`)
    expect(problem(schema, [1])?.message).toMatch('got an array')
  })

  it('ignores an unknown name set to undefined (spread configs carry such keys)', () => {
    expect(problem(schema, { somethingElse: undefined })).toBeUndefined()
  })
})

/** [schema, options, the message expected]. */
const BAD: [OptionSchema, Record<string, unknown>, string | RegExp][] = [
  // Connection parameters are never silently ignored: they say where they belong.
  [
    POOL_OPTIONS,
    { sslmode: 'require' },
    /^"sslmode" is a connection parameter, not a pool option: set sslmode in the connection string \(postgres:\/\/…\?sslmode=… or "sslmode=…"\) or .*\{ sslmode: … \}/,
  ],
  [
    CONNECT_OPTIONS,
    { sslmode: 'verify-full' },
    /^"sslmode" is a connection parameter, not a connection option/,
  ],
  [
    CONNECT_OPTIONS,
    { ssl: true },
    /^"ssl" is not an option: TLS is chosen by the connection parameter sslmode, sslmode=require .*\{ sslmode: 'require' \}/,
  ],
  [
    POOL_OPTIONS,
    { ssl: { rejectUnauthorized: false } },
    /TLS is chosen by the connection parameter sslmode/,
  ],
  [POOL_OPTIONS, { host: 'db.internal' }, /^"host" is a connection parameter/],
  [
    CONNECT_OPTIONS,
    { application_name: 'x' },
    /set application_name in the connection string .*\{ applicationName: … \}/,
  ],
  [
    CONNECT_OPTIONS,
    { database: 'app' },
    /^"database" is a connection parameter, not a connection option: set dbname/,
  ],
  [CONNECT_OPTIONS, { connectTimeout: '5s' }, /invalid connection option "connectTimeout"/],
  [CONNECT_OPTIONS, { cancelGrace: -1 }, /invalid connection option "cancelGrace"/],
  [CONNECT_OPTIONS, { pooler: 'statement' }, /invalid connection option "pooler"/],
  [
    QUERY_OPTIONS,
    { sslmode: 'require' },
    /^"sslmode" is a connection parameter, not a query option/,
  ],
  [
    POOL_OPTIONS,
    { search_path: 'app' },
    /^"search_path" is a server setting, not a pool option: .*options=-c search_path=/,
  ],
  // Misspelt or foreign names get the right spelling.
  [
    POOL_OPTIONS,
    { statement_timeout: 10 },
    'unknown pool option "statement_timeout"; did you mean "statementTimeout"?',
  ],
  [
    POOL_OPTIONS,
    { maxConnections: 2 },
    'unknown pool option "maxConnections"; did you mean "max"?',
  ],
  [POOL_OPTIONS, { idleTimeoutMillis: 2 }, 'did you mean "idleTimeout"?'],
  [POOL_OPTIONS, { acquireTimout: 2 }, 'did you mean "acquireTimeout"?'],
  [QUERY_OPTIONS, { timeoutMs: 5 }, 'unknown query option "timeoutMs"; did you mean "timeout"?'],
  [QUERY_OPTIONS, { statement_timeout: 10 }, 'did you mean "statementTimeout"?'],
  [TRANSACTION_OPTIONS, { isolationLevel: 'serializable' }, 'did you mean "isolation"?'],
  [CURSOR_OPTIONS, { fetchSize: 10 }, 'did you mean "batchSize"?'],
  [
    QUERY_OPTIONS,
    { zzz: 1 },
    /^unknown query option "zzz"; accepted: rowMode, rowBuilder, paramTypes, /,
  ],
  // Options of another call say which call takes them.
  [
    CONNECT_OPTIONS,
    { max: 2 },
    '"max" is a pool option (createPool(conninfo, { … })), not a connection option',
  ],
  [
    QUERY_OPTIONS,
    { pipeline: false },
    '"pipeline" is a pool.query option (pool.query(text, params, { … })), not a query option',
  ],
  [QUERY_OPTIONS, { batchSize: 10 }, '"batchSize" is a cursor option'],
  [QUERY_OPTIONS, { prepareThreshold: 0 }, '"prepareThreshold" is a connection option'],
  [TRANSACTION_OPTIONS, { batchSize: 10 }, '"batchSize" is a cursor option'],
  // Wrong types, NaN, negatives, out of range.
  [
    POOL_OPTIONS,
    { max: Number.NaN },
    'invalid pool option "max": expected an integer from 1 to 2147483647, got NaN',
  ],
  [
    POOL_OPTIONS,
    { max: 0 },
    'invalid pool option "max": expected an integer from 1 to 2147483647, got 0',
  ],
  [POOL_OPTIONS, { max: '5' }, 'got "5"'],
  [POOL_OPTIONS, { max: 2.5 }, 'got 2.5'],
  [POOL_OPTIONS, { min: -1 }, 'invalid pool option "min": expected an integer from 0 to'],
  [
    POOL_OPTIONS,
    { acquireTimeout: Number.NaN },
    'invalid pool option "acquireTimeout": expected a number from 0 to 2147483647 (milliseconds), got NaN',
  ],
  [POOL_OPTIONS, { acquireTimeout: -1 }, 'got -1'],
  [POOL_OPTIONS, { acquireTimeout: 2 ** 31 }, 'got 2147483648'],
  [POOL_OPTIONS, { idleTimeout: Number.POSITIVE_INFINITY }, 'got Infinity'],
  [
    POOL_OPTIONS,
    { statementTimeout: '5s' },
    'invalid pool option "statementTimeout": expected a number from 0 to 2147483647 (milliseconds), got "5s"',
  ],
  [
    POOL_OPTIONS,
    { prepareThreshold: 'never' },
    'invalid pool option "prepareThreshold": expected an integer from 0 to 2147483647, got "never"',
  ],
  [
    POOL_OPTIONS,
    { healthCheck: true },
    'expected a number from 0 to 2147483647 (milliseconds), or one of false, got true',
  ],
  [
    POOL_OPTIONS,
    { registerTypes: 'mood' },
    'invalid pool option "registerTypes": expected an array of type names',
  ],
  [
    POOL_OPTIONS,
    { types: { int8: 'Number' } },
    `invalid type option "types.int8": expected one of 'bigint', 'number', 'string', got "Number"`,
  ],
  [
    POOL_OPTIONS,
    { types: { int88: 'number' } },
    'unknown type option "types.int88"; did you mean "int8"?',
  ],
  [POOL_OPTIONS, { types: 'number' }, 'invalid pool option "types": expected TypeOptions'],
  [
    POOL_OPTIONS,
    { retryBackoff: { baseDelay: 5 } },
    'unknown retryBackoff option "retryBackoff.baseDelay"; did you mean "baseDelayMs"?',
  ],
  [
    POOL_OPTIONS,
    { retryBackoff: { maxDelayMs: -5 } },
    'invalid retryBackoff option "retryBackoff.maxDelayMs"',
  ],
  [
    POOL_OPTIONS,
    { logger: console.log },
    'invalid pool option "logger": expected an object with debug/info/warn/error methods',
  ],
  [QUERY_OPTIONS, { types: defaultTypes }, 'invalid query option "types": expected TypeOptions'],
  [QUERY_OPTIONS, { rowMode: 'arrays' }, `expected one of 'object', 'array', got "arrays"`],
  [QUERY_OPTIONS, { timeout: -5 }, 'invalid query option "timeout"'],
  [QUERY_OPTIONS, { paramTypes: ['int4'] }, 'expected an array of type OIDs'],
  [QUERY_OPTIONS, { signal: { aborted: false } }, 'expected an AbortSignal'],
  [
    POOL_QUERY_OPTIONS,
    { pipeline: 'no' },
    'invalid pool.query option "pipeline": expected true or false',
  ],
  [
    CURSOR_OPTIONS,
    { batchSize: 0 },
    'invalid cursor option "batchSize": expected an integer from 1 to 2147483647, got 0',
  ],
  [CURSOR_OPTIONS, { name: '' }, 'expected a non-empty string'],
  [
    TRANSACTION_OPTIONS,
    { isolation: 'snapshot' },
    `expected one of 'read uncommitted', 'read committed', 'repeatable read', 'serializable', got "snapshot"`,
  ],
  [TRANSACTION_OPTIONS, { retry: -1 }, 'invalid transaction option "retry"'],
  [TRANSACTION_OPTIONS, { retry: { attempts: 2, delay: 5 } }, 'unknown retry option "retry.delay"'],
  [
    COPY_FROM_OPTIONS,
    { format: 'json' },
    `invalid copyFrom option "format": expected one of 'text', 'csv', 'binary', got "json"`,
  ],
  [COPY_TO_OPTIONS, { output: 'row' }, `expected one of 'chunks', 'rows', got "row"`],
]

describe('options that are refused', () => {
  it.each(BAD.map(([s, o, m]) => [s.what, JSON.stringify(o) ?? String(o), s, o, m] as const))(
    '%s %s',
    (_what, _shown, schema, options, message) => {
      const err = problem(schema, options)
      expect(err, 'no error').toBeDefined()
      if (typeof message === 'string') expect(err!.message).toContain(message)
      else expect(err!.message).toMatch(message)
    },
  )

  it('never prints a password', () => {
    const err = problem(POOL_OPTIONS, { password: 123456 })
    expect(err?.message).toBe(
      'invalid pool option "password": expected a string, or a function, got a number',
    )
  })
})

describe('nested options', () => {
  it('checks a frozen nested object once, a mutable one every time', () => {
    const frozen = Object.freeze({ int8: 'string' })
    expect(problem(QUERY_OPTIONS, { types: frozen })).toBeUndefined()
    expect(problem(QUERY_OPTIONS, { types: frozen })).toBeUndefined()
    const mutable: Record<string, unknown> = { int8: 'string' }
    expect(problem(QUERY_OPTIONS, { types: mutable })).toBeUndefined()
    mutable.int8 = 'Number'
    expect(problem(QUERY_OPTIONS, { types: mutable })?.message).toContain('"types.int8"')
  })
})
