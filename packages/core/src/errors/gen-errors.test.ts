import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  className,
  dbapiParent,
  findErrcodes,
  generateSqlstateModule,
  generateSqlstateTablesModule,
  OUTPUT_FILE,
  PINNED_PG_MAJOR,
  parseErrcodes,
  TABLES_FILE,
} from '../../scripts/gen-errors.js'

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const REPO_ROOT = path.resolve(PACKAGE_ROOT, '../..')

function locate(): ReturnType<typeof findErrcodes> | undefined {
  try {
    return findErrcodes()
  } catch {
    return undefined
  }
}
const source = locate()
const pinned = source !== undefined && source.version === PINNED_PG_MAJOR

function run(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'pnpm',
      ['--silent', '--filter', '@tusk/core', 'gen:check'],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, output: stdout + stderr })
      },
    )
  })
}

describe('gen-errors', () => {
  it('names classes as psycopg does', () => {
    expect(className('23505', 'unique_violation')).toBe('UniqueViolation')
    expect(className('22024', 'unterminated_c_string')).toBe('UnterminatedCString')
    expect(className('XX000', 'internal_error')).toBe('InternalError_')
    expect(className('38003', 'prohibited_sql_statement_attempted')).toBe(
      'ProhibitedSqlStatementAttemptedExt',
    )
    expect(dbapiParent('22012')).toBe('DataError')
    expect(dbapiParent('P0001')).toBe('ProgrammingError')
    expect(dbapiParent('02000')).toBe('DatabaseError')
  })

  it('rejects a line it does not understand, and a name used twice', () => {
    expect(() => parseErrcodes('Section: Class 22 - Data\nwhat is this\n')).toThrow(/line 2/)
    const twice =
      'Section: Class 22 - Data\n22001 E ERRCODE_A some_name\n22002 E ERRCODE_B some_name\n'
    expect(() => generateSqlstateModule(twice, '18')).toThrow(/SomeName, already taken by 22001/)
    const root = 'Section: Class 22 - Data\n22001 E ERRCODE_A data_error\n'
    expect(() => generateSqlstateModule(root, '18')).toThrow(/DataError, already taken/)
  })

  it('is deterministic whatever the order of the input rows', () => {
    const a =
      'Section: Class 22 - Data\n22012 E ERRCODE_X division_by_zero\n22001 E ERRCODE_Y y_thing\n'
    const b =
      'Section: Class 22 - Data\n22001 E ERRCODE_Y y_thing\n22012 E ERRCODE_X division_by_zero\n'
    expect(generateSqlstateModule(a, '18')).toBe(generateSqlstateModule(b, '18'))
    expect(generateSqlstateTablesModule(a, '18')).toBe(generateSqlstateTablesModule(b, '18'))
  })

  it.skipIf(!pinned)('regenerates the committed files byte for byte', () => {
    const errcodes = readFileSync(source?.file ?? '', 'utf8')
    const classes = readFileSync(path.join(PACKAGE_ROOT, OUTPUT_FILE), 'utf8')
    expect(generateSqlstateModule(errcodes, PINNED_PG_MAJOR)).toBe(classes)
    const tables = readFileSync(path.join(PACKAGE_ROOT, TABLES_FILE), 'utf8')
    expect(generateSqlstateTablesModule(errcodes, PINNED_PG_MAJOR)).toBe(tables)
  })

  it.skipIf(!pinned)(
    'gen:check passes on the committed file and fails on a changed errcodes.txt',
    async () => {
      const ok = await run({
        ERRCODES_TXT: source?.file ?? '',
        ERRCODES_PG_VERSION: PINNED_PG_MAJOR,
      })
      expect(ok.output).toContain('is up to date')
      expect(ok.code).toBe(0)

      const dir = mkdtempSync(path.join(tmpdir(), 'tusk-errcodes-'))
      try {
        const changed = readFileSync(source?.file ?? '', 'utf8').replace(/^23505 .*$/m, '')
        const file = path.join(dir, 'errcodes.txt')
        writeFileSync(file, changed)
        const stale = await run({ ERRCODES_TXT: file, ERRCODES_PG_VERSION: PINNED_PG_MAJOR })
        expect(stale.code).toBe(1)
        expect(stale.output).toContain(`${OUTPUT_FILE} is out of date`)
        expect(stale.output).toContain(file)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
      // The check never writes: the committed file still has UniqueViolation.
      expect(readFileSync(path.join(PACKAGE_ROOT, OUTPUT_FILE), 'utf8')).toContain(
        'class UniqueViolation ',
      )
    },
  )
})
