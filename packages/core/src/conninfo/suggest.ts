// "Did you mean …?" for misspelt parameter names and values: nearest candidate by edit distance.
// Pure functions; knows nothing about where names come from.

/** Well-known names from other drivers and tools, mapped to the libpq keyword they stand for. */
const FOREIGN_NAMES: Readonly<Record<string, string>> = {
  database: 'dbname',
  db: 'dbname',
  username: 'user',
  login: 'user',
  pass: 'password',
  pwd: 'password',
  hostname: 'host',
  server: 'host',
  ssl: 'sslmode',
  sslca: 'sslrootcert',
  sslrootca: 'sslrootcert',
  ca: 'sslrootcert',
  application: 'application_name',
  appname: 'application_name',
  timeout: 'connect_timeout',
  connectiontimeout: 'connect_timeout',
  connectiontimeoutmillis: 'connect_timeout',
  searchpath: 'options',
  schema: 'options',
  targetserver: 'target_session_attrs',
  targetservertype: 'target_session_attrs',
  loadbalance: 'load_balance_hosts',
}

/** The libpq keyword a well-known name from another driver stands for (`ssl` → `sslmode`). */
export function foreignKeyword(name: string): string | undefined {
  return FOREIGN_NAMES[fold(name)]
}

/** Lower-case and drop `_` and `-`, so `sslMode`, `ssl_mode` and `SSL-MODE` compare equal. */
export function fold(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '')
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[] = new Array<number>(rows * cols).fill(0)
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0
  for (let i = 0; i < rows; i++) d[i * cols] = i
  for (let j = 0; j < cols; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1)
      }
      d[i * cols + j] = best
    }
  }
  return at(rows - 1, cols - 1)
}

/**
 * The candidate nearest to `input`, or undefined when none is close enough (distance at most a
 * third of the longer name, minimum 1) or two are equally near. `mapForeign` turns a foreign-name target (a libpq keyword)
 * into the spelling the caller's candidates use.
 */
export function nearestName(
  input: string,
  candidates: readonly string[],
  mapForeign: (keyword: string) => string = (k) => k,
): string | undefined {
  const folded = fold(input)
  const foreign = FOREIGN_NAMES[folded]
  if (foreign !== undefined) {
    const mapped = mapForeign(foreign)
    if (candidates.includes(mapped)) return mapped
  }
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  let tie = false
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate))
    const limit = Math.max(1, Math.floor(Math.max(folded.length, candidate.length) / 3))
    if (distance > limit) continue
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
      tie = false
    } else if (distance === bestDistance) {
      tie = true
    }
  }
  return tie ? undefined : best
}

/** `; did you mean "x"?` when a suggestion exists, else the empty string. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : `; did you mean "${suggestion}"?`
}
