// Why an option name is not accepted where it was given, and where it belongs: a libpq
// connection parameter, an option of another call, or a near miss of an accepted name.
import { camelName, isKeyword, type Keyword, keywordForOptionName } from '../conninfo/parameters.js'
import { didYouMean, fold, foreignKeyword, nearestName } from '../conninfo/suggest.js'
import { CONNECT_OPTIONS } from './connect-options.js'
import { COPY_FROM_OPTIONS, COPY_TO_OPTIONS } from './copy-options.js'
import { CURSOR_OPTIONS } from './cursor-options.js'
import { POOL_OPTIONS } from './pool-options.js'
import { POOL_QUERY_OPTIONS, QUERY_OPTIONS } from './query-options.js'
import type { OptionSchema } from './schema.js'
import { TRANSACTION_OPTIONS } from './transaction-options.js'

/** Names other drivers use (folded: lower case, no `_`/`-`) for options we name otherwise. */
const ALIASES: Readonly<Record<string, string>> = {
  maxconnections: 'max',
  poolsize: 'max',
  connectionlimit: 'max',
  maxpoolsize: 'max',
  minconnections: 'min',
  minpoolsize: 'min',
  minidle: 'min',
  idletimeoutmillis: 'idleTimeout',
  connectiontimeoutmillis: 'connectTimeout',
  acquiretimeoutmillis: 'acquireTimeout',
  timeoutms: 'timeout',
  querytimeout: 'timeout',
  arraymode: 'rowMode',
  isolationlevel: 'isolation',
  accessmode: 'readOnly',
  fetchsize: 'batchSize',
  highwatermark: 'batchSize',
  retries: 'retry',
  maxretries: 'retry',
}

/** Server settings people try to pass as options; they go in `options=-c name=value` or SET. */
const SERVER_SETTINGS: ReadonlySet<string> = new Set([
  'searchpath',
  'timezone',
  'datestyle',
  'workmem',
  'role',
  'schema',
])

/** Every options kind, for "… is a cursor option, not a query option". */
const ALL: readonly OptionSchema[] = [
  CONNECT_OPTIONS,
  POOL_OPTIONS,
  QUERY_OPTIONS,
  POOL_QUERY_OPTIONS,
  CURSOR_OPTIONS,
  TRANSACTION_OPTIONS,
  COPY_FROM_OPTIONS,
  COPY_TO_OPTIONS,
]

const CONNINFO_PLACES =
  'in the connection string (postgres://…?KEY=… or "KEY=…") or in the options object given as ' +
  'the first argument of connect() or createPool() ({ CAMEL: … })'

/** Where the libpq parameter `keyword`, given as `key`, belongs. */
function connectionParameterMessage(key: string, keyword: Keyword, what: string): string {
  return (
    `"${key}" is a connection parameter, not ${article(what)} ${what}: set ${keyword} ` +
    CONNINFO_PLACES.replaceAll('KEY', keyword).replace('CAMEL', camelName(keyword))
  )
}

/** `a` or `an` before `word`. */
function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a'
}

/**
 * The message for `key`, which `schema` does not accept: where it belongs, or the nearest
 * accepted name, or the list of accepted names.
 */
export function unknownOptionMessage(schema: OptionSchema, key: string, path = ''): string {
  const what = schema.what
  const folded = fold(key)
  const own = schema.names.find((n) => fold(n) === folded) ?? ALIASES[folded]
  if (own !== undefined && schema.rules.has(own)) {
    return `unknown ${what} "${path}${key}"${didYouMean(own)}`
  }
  if (path !== '') {
    const near = nearestName(key, schema.names)
    return near !== undefined
      ? `unknown ${what} "${path}${key}"${didYouMean(near)}`
      : `unknown ${what} "${path}${key}"; accepted: ${schema.names.join(', ')}`
  }
  if (folded === 'ssl' || folded === 'tls' || folded === 'usessl') {
    return (
      `"${key}" is not an option: TLS is chosen by the connection parameter sslmode, ` +
      `sslmode=require (or verify-full, which also checks the server's certificate and name) ` +
      CONNINFO_PLACES.replace('KEY=…', 'sslmode=require')
        .replace('"KEY=…"', '"sslmode=require"')
        .replace('{ CAMEL: … }', "{ sslmode: 'require' }")
    )
  }
  const keyword = keywordForOptionName(key)
  if (keyword !== undefined) return connectionParameterMessage(key, keyword, what)
  if (SERVER_SETTINGS.has(folded)) {
    return (
      `"${key}" is a server setting, not ${article(what)} ${what}: set it for every session ` +
      `with the connection parameter options ("options=-c ${key}=…") or run SET ${key} TO …`
    )
  }
  const other = ALL.find((s) => s !== schema && s.rules.has(key))
  if (other !== undefined) {
    return `"${key}" is ${article(other.what)} ${other.what} (${other.call}), not ${article(what)} ${what}`
  }
  const foreign = foreignKeyword(key)
  if (foreign !== undefined && isKeyword(foreign))
    return connectionParameterMessage(key, foreign, what)
  const near = nearestName(key, schema.names)
  if (near !== undefined) return `unknown ${what} "${key}"${didYouMean(near)}`
  return `unknown ${what} "${key}"; accepted: ${schema.names.join(', ')}`
}
