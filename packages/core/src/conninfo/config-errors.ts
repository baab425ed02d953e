// The ConfigError messages several conninfo parsers share (unknown names, bad values).
// Messages never carry a secret value; callers pass only names and non-secret values here.
import { ConfigError } from '../errors/client.js'
import { KEYWORDS, type Keyword } from './parameters.js'
import { didYouMean, nearestName } from './suggest.js'

/** `unknown connection parameter "x"; did you mean "y"?`, suggesting among libpq keywords. */
export function unknownKeyword(name: string, where = ''): ConfigError {
  const hint = didYouMean(nearestName(name, KEYWORDS))
  return new ConfigError(`unknown connection parameter "${name}"${where}${hint}`, {
    parameter: name,
  })
}

/** `invalid sslmode value: "x"; allowed values: …` with a nearest-value suggestion. */
export function invalidEnumValue(
  keyword: Keyword,
  value: string,
  allowed: readonly string[],
  origin: string,
): ConfigError {
  const hint = didYouMean(nearestName(value, allowed))
  return new ConfigError(
    `invalid ${keyword} value: "${value}"${origin}${hint}; allowed values: ${allowed.join(', ')}`,
    { parameter: keyword },
  )
}
