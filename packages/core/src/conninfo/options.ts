// Connection options given as an object: camelCase (`applicationName`) or libpq names.
// Converts them to libpq's string values, as PQconnectdbParams receives them.
import { ConfigError } from '../errors/client.js'
import {
  type CamelCase,
  camelName,
  type Keyword,
  type KeywordValueTypes,
  keywordForOptionName,
  OPTION_NAMES,
  type ParameterValues,
  SECRET_KEYWORDS,
} from './parameters.js'
import { didYouMean, nearestName } from './suggest.js'

type Nullable<T> = T | null | undefined

/**
 * Connection options: every libpq keyword under its camelCase name (`connectTimeout`) or its
 * libpq name (`connect_timeout`), plus `connectionString` (a URI or keyword/value string whose
 * values the other options override). `undefined`, `null` and `''` mean "not given".
 */
export type ConnectionOptions = {
  [K in Keyword as CamelCase<K>]?: Nullable<KeywordValueTypes[K]>
} & { [K in Keyword]?: Nullable<KeywordValueTypes[K]> } & {
  /** A URI or keyword/value string; explicit options override what it sets. */
  connectionString?: Nullable<string>
}

const LIST_KEYWORDS: ReadonlySet<Keyword> = new Set(['host', 'hostaddr', 'port', 'require_auth'])

function typeError(key: string, keyword: Keyword, expected: string): ConfigError {
  return new ConfigError(`connection option "${key}" must be ${expected}`, { parameter: keyword })
}

/** One option value as libpq's string, or undefined when it counts as not given. */
function toParameterString(key: string, keyword: Keyword, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value === '' ? undefined : value
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw typeError(key, keyword, 'a finite number')
    return String(value)
  }
  if (Array.isArray(value) && LIST_KEYWORDS.has(keyword)) {
    const items = value.map((item: unknown) => {
      if (typeof item === 'number' && Number.isFinite(item)) return String(item)
      if (typeof item === 'string' && !item.includes(',')) return item
      throw typeError(key, keyword, 'a list of strings without "," (or numbers)')
    })
    return items.length === 0 ? undefined : items.join(',')
  }
  const expected = LIST_KEYWORDS.has(keyword) ? 'a string, a number or a list' : 'a string'
  throw typeError(key, keyword, SECRET_KEYWORDS.has(keyword) ? 'a string' : expected)
}

/**
 * Converts an options object to libpq keyword values (not validated yet). Throws `ConfigError`
 * for an unknown key (suggesting the nearest name), a value of the wrong type, or one keyword
 * given under both its names with different values. `connectionString` is not included.
 */
export function optionsToParameters(options: ConnectionOptions): ParameterValues {
  const out: ParameterValues = {}
  const seenAs: Partial<Record<Keyword, string>> = {}
  for (const [key, value] of Object.entries(options as Record<string, unknown>)) {
    if (key === 'connectionString') continue
    const keyword = keywordForOptionName(key)
    if (keyword === undefined) {
      const hint = didYouMean(nearestName(key, OPTION_NAMES, (k) => camelName(k as Keyword)))
      throw new ConfigError(`unknown connection parameter "${key}"${hint}`, { parameter: key })
    }
    const text = toParameterString(key, keyword, value)
    if (text === undefined) continue
    const previousKey = seenAs[keyword]
    if (previousKey !== undefined && out[keyword] !== text) {
      throw new ConfigError(
        `connection parameter "${keyword}" is given twice, as "${previousKey}" and "${key}", ` +
          'with different values',
        { parameter: keyword },
      )
    }
    seenAs[keyword] = key
    out[keyword] = text
  }
  return out
}
