// `require_auth`: which authentication requests the client accepts from the server.
// A comma list of methods, or of `!`-negated methods; parsed with libpq's rules and messages.
import { ConfigError } from '../errors/client.js'
import type { RequireAuth } from './config.js'
import { invalidEnumValue } from './config-errors.js'
import { REQUIRE_AUTH_METHODS, type RequireAuthMethod } from './parameters.js'
import type { OriginNote } from './values.js'

type Method = Exclude<RequireAuthMethod, 'none'>
const METHODS = REQUIRE_AUTH_METHODS.filter((m): m is Method => m !== 'none')

/**
 * Parses `require_auth` (non-empty). `password,md5` allows only those; `!password` allows all but
 * that; `none` (or `!none`) allows (or forbids) a server that asks for no authentication. Mixing
 * negated and plain methods, or naming one twice, is an error, as in libpq.
 */
export function parseRequireAuth(raw: string, note: OriginNote): RequireAuth {
  const parts = raw.split(',')
  const negated = parts[0]?.startsWith('!') === true
  const named = new Set<RequireAuthMethod>()
  for (const part of parts) {
    const isNegated = part.startsWith('!')
    if (isNegated !== negated) {
      throw new ConfigError(
        isNegated
          ? `negative require_auth method "${part}" cannot be mixed with non-negative methods`
          : `require_auth method "${part}" cannot be mixed with negative methods`,
        { parameter: 'require_auth' },
      )
    }
    const method = isNegated ? part.slice(1) : part
    if (!(REQUIRE_AUTH_METHODS as readonly string[]).includes(method)) {
      throw invalidEnumValue('require_auth', method, REQUIRE_AUTH_METHODS, note('require_auth'))
    }
    const m = method as RequireAuthMethod
    if (named.has(m)) {
      throw new ConfigError(`require_auth method "${part}" is specified more than once`, {
        parameter: 'require_auth',
      })
    }
    named.add(m)
  }
  const methods = negated
    ? METHODS.filter((m) => !named.has(m))
    : METHODS.filter((m) => named.has(m))
  const allowNone = negated ? !named.has('none') : named.has('none')
  return { methods, allowNone }
}
