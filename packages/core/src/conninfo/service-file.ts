// Connection service files (pg_service.conf): INI sections of `keyword=value` lines.
// Lookup follows libpq: first matching section only, no trimming around "=", nested services refused.
import { ConfigError } from '../errors/client.js'
import { isKeyword, KEYWORDS, type Keyword } from './parameters.js'
import { didYouMean, nearestName } from './suggest.js'

/** One setting from a service section, with its line number (1-based) for messages. */
export interface ServiceSetting {
  readonly keyword: Keyword
  readonly value: string
  readonly line: number
}

/** C `isspace` in the C locale. */
const SPACE = /[ \t\n\r\v\f]/

function trimSpace(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && SPACE.test(s[start] as string)) start++
  while (end > start && SPACE.test(s[end - 1] as string)) end--
  return s.slice(start, end)
}

/**
 * The settings of section `[service]` in a service file's text, in file order, or undefined when
 * the file has no such section. Only the first section of that name counts. Inside it every
 * non-comment line must be `keyword=value` with a known keyword, taken verbatim (no spaces around
 * `=`, as libpq); `service` and `servicefile` may not appear. Throws `ConfigError` naming the file
 * and line. Callers keep the first value of a repeated keyword, as libpq does.
 */
export function findServiceSection(
  text: string,
  service: string,
  path: string,
): ServiceSetting[] | undefined {
  let found: ServiceSetting[] | undefined
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = trimSpace(lines[index] as string)
    const lineNumber = index + 1
    if (line === '' || line.startsWith('#')) continue
    if (line.startsWith('[')) {
      if (found !== undefined) return found
      if (line.startsWith(`[${service}]`)) found = []
      continue
    }
    if (found === undefined) continue
    const where = `in service file "${path}", line ${lineNumber}`
    const eq = line.indexOf('=')
    if (eq === -1) {
      throw new ConfigError(`syntax error ${where}: expected keyword=value`)
    }
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1)
    if (key === 'service' || key === 'servicefile') {
      throw new ConfigError(`nested service specifications not supported ${where}`, {
        parameter: key,
      })
    }
    if (!isKeyword(key)) {
      const hint = didYouMean(nearestName(key, KEYWORDS))
      throw new ConfigError(
        `syntax error ${where}: unknown connection parameter "${key}"${hint}` +
          (key !== key.trim() ? ' (no spaces are allowed around "=")' : ''),
        { parameter: key },
      )
    }
    found.push({ keyword: key, value, line: lineNumber })
  }
  return found
}
