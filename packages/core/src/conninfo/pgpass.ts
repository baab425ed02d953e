// The password file (~/.pgpass, PGPASSFILE): `host:port:dbname:user:password` lines.
// Matching follows libpq: `*` fields, `\:` and `\\` escapes, `localhost` for the default socket.
import type { FileContents } from './context.js'

/** What a passfile line is matched against; all fields as libpq compares them (strings). */
export interface PgpassKey {
  readonly host: string
  readonly port: string
  readonly dbname: string
  readonly user: string
}

/**
 * Matches one escaped field of `line` starting at `pos` against `token`; returns the position
 * after the field's `:` on a match, -1 otherwise. `*` alone matches anything.
 */
function matchField(line: string, pos: number, token: string): number {
  if (line[pos] === '*' && line[pos + 1] === ':') return pos + 2
  let t = 0
  while (pos < line.length) {
    let escaped = false
    if (line[pos] === '\\') {
      pos++
      escaped = true
    }
    if (!escaped && line[pos] === ':' && t === token.length) return pos + 1
    if (t === token.length) return -1
    if (line[pos] !== token[t]) return -1
    pos++
    t++
  }
  return -1
}

/** The password field from `pos`: escapes removed, ending at the first unescaped `:`. */
function passwordField(line: string, pos: number): string {
  let out = ''
  for (; pos < line.length && line[pos] !== ':'; pos++) {
    if (line[pos] === '\\' && pos + 1 < line.length) pos++
    out += line[pos]
  }
  return out
}

/**
 * The password of the first line of a passfile that matches `key`, or undefined. Lines starting
 * with `#` are comments; trailing CR/LF is ignored. `key.host` must already be the lookup name
 * (see `pgpassLookupHost`).
 */
export function findPgpassPassword(text: string, key: PgpassKey): string | undefined {
  if (key.dbname === '' || key.user === '') return undefined
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#')) continue
    const line = raw.replace(/[\r\n]+$/, '')
    if (line === '') continue
    let pos = matchField(line, 0, key.host)
    if (pos !== -1) pos = matchField(line, pos, key.port)
    if (pos !== -1) pos = matchField(line, pos, key.dbname)
    if (pos !== -1) pos = matchField(line, pos, key.user)
    if (pos !== -1) return passwordField(line, pos)
  }
  return undefined
}

/**
 * The host name libpq looks up in the passfile: the host, else the hostaddr; `localhost` when
 * both are empty or the host is the default socket directory.
 */
export function pgpassLookupHost(
  target: { readonly host: string; readonly hostaddr?: string | undefined },
  defaultSocketDir: string,
): string {
  const name = target.host !== '' ? target.host : (target.hostaddr ?? '')
  if (name === '') return 'localhost'
  if (defaultSocketDir !== '' && name === defaultSocketDir) return 'localhost'
  return name
}

/**
 * Why libpq would ignore this passfile on POSIX (not a regular file, or readable by group or
 * others), as a warning to log; undefined when it is usable or the reader gave no mode.
 */
export function passfileProblem(path: string, file: FileContents): string | undefined {
  if (file.isFile === false) return `password file "${path}" is not a plain file; ignoring it`
  if (file.mode !== undefined && (file.mode & 0o077) !== 0) {
    return (
      `password file "${path}" has group or world access; permissions should be u=rw (0600) ` +
      'or less; ignoring it'
    )
  }
  return undefined
}
