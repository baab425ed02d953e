// The argument checks of the user-facing calls: connect(), createPool(), query(), cursor(),
// exec(), transaction(), copyFrom(), copyTo(), pool.connect(). Each runs before any work, and
// the per-query ones allocate nothing when no options object is given.
import { keywordForOptionName } from '../conninfo/parameters.js'
import { InterfaceError } from '../errors/base.js'
import { ConfigError } from '../errors/client.js'
import { isSqlFragment } from '../sql/fragment.js'
import { checkOptions, describeValue } from './check.js'
import { CONNECT_OPTIONS } from './connect-options.js'
import { CLOSE_OPTIONS, COPY_FROM_OPTIONS, COPY_TO_OPTIONS, EXEC_OPTIONS } from './copy-options.js'
import { CURSOR_OPTIONS } from './cursor-options.js'
import { CHECKOUT_OPTIONS, HEALTH_OPTIONS, POOL_OPTIONS } from './pool-options.js'
import { POOL_QUERY_OPTIONS, QUERY_OPTIONS } from './query-options.js'
import type { OptionSchema } from './schema.js'
import { TRANSACTION_OPTIONS } from './transaction-options.js'

/** Throws ConfigError for a bad second argument of `connect()`. */
export function checkConnectOptions(options: unknown): void {
  checkOptions(CONNECT_OPTIONS, options)
}

/** Throws ConfigError for a bad second argument of `createPool()`. */
export function checkPoolOptions(options: unknown): void {
  checkOptions(POOL_OPTIONS, options)
}

/**
 * Throws ConfigError when the conninfo object (first argument) holds an option of the second
 * argument (`{ host, max: 5 }`): says where it belongs instead of "unknown connection parameter".
 */
export function checkConninfoObject(conninfo: unknown, schema: 'connect' | 'pool'): void {
  if (conninfo === null || typeof conninfo !== 'object' || Array.isArray(conninfo)) return
  for (const key of Object.keys(conninfo)) {
    if (keywordForOptionName(key) !== undefined) continue
    const own = schema === 'pool' ? POOL_OPTIONS : CONNECT_OPTIONS
    const home = own.rules.has(key) ? own : POOL_OPTIONS.rules.has(key) ? POOL_OPTIONS : undefined
    if (home === undefined) continue
    throw new ConfigError(
      `"${key}" is ${home === POOL_OPTIONS ? 'a pool option' : 'a connection option'}, not a ` +
        `connection parameter: pass it in the second argument, ${home.call}`,
      { parameter: key },
    )
  }
}

/** The arguments of `pool.listen(channel, handler)`: a non-empty channel name and a function. */
export function checkListenCall(channel: unknown, handler: unknown): void {
  if (typeof channel !== 'string' || channel.length === 0) {
    throw interfaceError(
      `listen(channel, handler) needs a non-empty channel name, got ${describeValue(channel)}`,
    )
  }
  if (typeof handler !== 'function') {
    throw interfaceError(
      `listen(channel, handler) needs a handler function, got ${describeValue(handler)}`,
    )
  }
}

/** Throws ConfigError for bad options of `pool.health()`. */
export function checkHealthOptions(options: unknown): void {
  if (options !== undefined) checkOptions(HEALTH_OPTIONS, options)
}

/** Throws ConfigError for bad options of `pool.connect()` / `pool.acquire()`. */
export function checkCheckoutOptions(options: unknown): void {
  if (options !== undefined) checkOptions(CHECKOUT_OPTIONS, options)
}

function interfaceError(message: string, query?: string): InterfaceError {
  return new InterfaceError(message, query === undefined ? {} : { query })
}

/**
 * The arguments of `query`/`cursor` (text, params or options, options): a text or `sql`
 * fragment, parameters only beside a text, options once and in their place.
 */
function checkStatementCall(
  call: string,
  text: unknown,
  params: unknown,
  options: unknown,
  schema: OptionSchema,
): void {
  if (typeof text !== 'string') {
    if (!isSqlFragment(text)) {
      throw interfaceError(
        `${call}() needs the SQL text (a string or an sql\`…\` fragment) as its first argument, got ${describeValue(text)}`,
      )
    }
    if (Array.isArray(params) && params.length > 0) {
      throw interfaceError(
        `${call}() was given an sql\`…\` fragment and a parameter array: a fragment carries its ` +
          `own values (\${value} in the template); drop the array, or use a text with $1…$n`,
        text.text,
      )
    }
  }
  if (params === undefined || params === null) {
    if (options !== undefined) {
      throw interfaceError(
        `${call}(text, ${params}, options): with no parameters, give the options as the ` +
          `second argument (${call}(text, options)) or pass [] as the parameters`,
      )
    }
    return
  }
  if (Array.isArray(params)) {
    if (options !== undefined) checkOptions(schema, options)
    return
  }
  if (typeof params !== 'object') {
    throw interfaceError(
      `${call}() parameters must be an array ([value, …] for $1, …), got ${describeValue(params)}`,
    )
  }
  checkOptions(schema, params)
  if (options !== undefined) {
    throw interfaceError(
      `${call}() was given options twice (second and third argument): the third argument is ` +
        `for options only after a parameter array`,
    )
  }
}

/** Throws for bad arguments of a connection's (or transaction's) `query(text, params?, options?)`. */
export function checkQueryCall(text: unknown, params: unknown, options: unknown): void {
  checkStatementCall('query', text, params, options, QUERY_OPTIONS)
}

/** Throws for bad arguments of `pool.query(text, params?, options?)`. */
export function checkPoolQueryCall(text: unknown, params: unknown, options: unknown): void {
  checkStatementCall('query', text, params, options, POOL_QUERY_OPTIONS)
}

/** Throws for bad arguments of `cursor(text, params?, options?)`. */
export function checkCursorCall(text: unknown, params: unknown, options: unknown): void {
  checkStatementCall('cursor', text, params, options, CURSOR_OPTIONS)
}

/**
 * Throws for bad arguments of `exec(script, options?)`: a string, then at most an options object
 * (`{ signal, timeout }`) — parameters (an array, or anything after the options) are refused.
 */
export function checkExecCall(
  sql: unknown,
  options: unknown,
  extra: readonly unknown[] = [],
): void {
  if (typeof sql !== 'string') {
    throw interfaceError(`exec() needs an SQL script (a string), got ${describeValue(sql)}`)
  }
  if (Array.isArray(options) || extra.length > 0) {
    throw interfaceError(
      'exec() takes no parameters: it runs a script through the simple protocol; ' +
        'use query(text, params) for a statement with $1…$n parameters',
      sql,
    )
  }
  if (options !== undefined) checkOptions(EXEC_OPTIONS, options)
}

/** Throws ConfigError for bad options of `session.close(options)`. */
export function checkCloseOptions(options: unknown): void {
  if (options !== undefined) checkOptions(CLOSE_OPTIONS, options)
}

/** Throws for bad options of `begin(options)`. */
export function checkTransactionOptions(options: unknown): void {
  if (options !== undefined) checkOptions(TRANSACTION_OPTIONS, options)
}

/** Throws for bad options of `notify(channel, payload, options?)`. */
export function checkNotifyOptions(options: unknown): void {
  if (options !== undefined) checkOptions(EXEC_OPTIONS, options)
}

/** Throws for bad arguments of `transaction(fn)` / `transaction(options, fn)`. */
export function checkTransactionCall(first: unknown, second: unknown): void {
  if (typeof first === 'function') {
    if (second !== undefined) {
      throw interfaceError(
        'transaction(fn, …): the options come first, as transaction(options, fn)',
      )
    }
    return
  }
  if (first === undefined || first === null) {
    throw interfaceError(
      `transaction() needs a function: transaction(async (tx) => { … }) or ` +
        `transaction(options, async (tx) => { … }); got ${describeValue(first)}`,
    )
  }
  checkOptions(TRANSACTION_OPTIONS, first)
  if (typeof second !== 'function') {
    throw interfaceError(
      `transaction(options, fn) needs a function after the options, got ${describeValue(second)}: ` +
        'transaction(options, async (tx) => { … })',
    )
  }
}

/** True for what `copyFrom` can read: a Readable or a (sync or async) iterable. */
function isCopySource(source: unknown): boolean {
  if (source === null || (typeof source !== 'object' && typeof source !== 'function')) return false
  const s = source as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown }
  return typeof s[Symbol.asyncIterator] === 'function' || typeof s[Symbol.iterator] === 'function'
}

/** Throws for bad arguments of `copyFrom(sql, source, options?)`. */
export function checkCopyFromCall(sql: unknown, source: unknown, options: unknown): void {
  if (typeof sql !== 'string') {
    throw interfaceError(
      `copyFrom() needs a COPY … FROM STDIN statement, got ${describeValue(sql)}`,
    )
  }
  if (typeof source === 'string') {
    throw interfaceError(
      'copyFrom() was given a string as its source: wrap it in an array ([text]) or a Readable',
      sql,
    )
  }
  if (!isCopySource(source)) {
    throw interfaceError(
      `copyFrom() needs a source: a Readable, or an iterable or async iterable of strings, ` +
        `bytes or row arrays; got ${describeValue(source)}`,
      sql,
    )
  }
  checkOptions(COPY_FROM_OPTIONS, options)
}

/** Throws for bad arguments of `copyTo(sql, options?)` (or of `copyToIterable`, named by `method`). */
export function checkCopyToCall(sql: unknown, options: unknown, method = 'copyTo'): void {
  if (typeof sql !== 'string') {
    throw interfaceError(
      `${method}() needs a COPY … TO STDOUT statement, got ${describeValue(sql)}`,
    )
  }
  checkOptions(COPY_TO_OPTIONS, options)
}
