// The PG* environment variables: one per keyword (PGHOST, PGSSLMODE, …) plus libpq's extras.
// Reads only the injected env record; never process.env.
import { KEYWORDS, type Keyword, PARAMETERS } from './parameters.js'

/** A value from the environment, with the variable it came from. */
export interface EnvironmentValue {
  readonly value: string
  readonly variable: string
}

/**
 * The value the environment gives `keyword`, as libpq's fallback: its variable when set (even
 * to the empty string); for `sslmode`, the deprecated `PGREQUIRESSL=1` as `require`.
 */
export function environmentValue(
  env: Readonly<Record<string, string | undefined>>,
  keyword: Keyword,
): EnvironmentValue | undefined {
  const variable = PARAMETERS[keyword].env
  if (variable !== undefined) {
    const value = env[variable]
    if (value !== undefined) return { value, variable }
  }
  if (keyword === 'sslmode' && env.PGREQUIRESSL?.startsWith('1')) {
    return { value: 'require', variable: 'PGREQUIRESSL' }
  }
  return undefined
}

/** Every keyword value the environment sets, as `{ keyword: value }`. */
export function parametersFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Partial<Record<Keyword, EnvironmentValue>> {
  const out: Partial<Record<Keyword, EnvironmentValue>> = {}
  for (const keyword of KEYWORDS) {
    const found = environmentValue(env, keyword)
    if (found !== undefined) out[keyword] = found
  }
  return out
}

/** Environment variables libpq turns into startup-packet settings (server GUCs). */
const SESSION_VARIABLES: ReadonlyArray<readonly [variable: string, setting: string]> = [
  ['PGDATESTYLE', 'datestyle'],
  ['PGTZ', 'timezone'],
  ['PGGEQO', 'geqo'],
]

/**
 * The server settings libpq sends in the startup packet from `PGDATESTYLE`, `PGTZ` and
 * `PGGEQO` (an empty value, or `default` in any case, sends nothing).
 */
export function sessionSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [variable, setting] of SESSION_VARIABLES) {
    const value = env[variable]
    if (value !== undefined && value !== '' && value.toLowerCase() !== 'default')
      out[setting] = value
  }
  return out
}
