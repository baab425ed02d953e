/**
 * What the compiler accepts and rejects at the public entry: options held in variables are held
 * to their known keys, and `rowMode: 'array'` types rows as arrays. Each case is a small module
 * compiled against src/index.ts; the expectation is "compiles" or an error on a marked line.
 */
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = path.dirname(new URL(import.meta.url).pathname)
const ENTRY = path.join(SRC, 'index.js')

interface Case {
  name: string
  /** Module body; `// error` marks the one line that must not compile. */
  code: string
}

const CASES: Case[] = [
  {
    name: 'pool options in a variable with a conninfo keyword',
    code: `const opts = { max: 5, sslmode: 'require' }
createPool('postgres://h/db', opts) // error`,
  },
  {
    name: 'pool options in a variable with known keys only',
    code: `const opts = { max: 5, idleTimeout: 1000 }
createPool('postgres://h/db', opts)`,
  },
  {
    name: 'connect options in a variable with another driver’s name',
    code: `const opts = { statementTimeout: 5, timeoutMs: 5 }
void connect('postgres://h/db', opts) // error`,
  },
  {
    name: 'connect options typed as ConnectOptions',
    code: `const opts: ConnectOptions = { statementTimeout: 5 }
void connect('postgres://h/db', opts)`,
  },
  {
    name: 'pool options object literal with an unknown key',
    code: `createPool('postgres://h/db', { max: 5, maxConnections: 2 }) // error`,
  },
  {
    name: 'object rows by default',
    code: `declare const s: Session
const r = await s.query('select 1 as a')
const a: unknown = r.rows[0]?.a`,
  },
  {
    name: "rowMode 'array' rows are arrays (session)",
    code: `declare const s: Session
const r = await s.query('select 1 as a', [], { rowMode: 'array' })
const first: unknown = r.rows[0]?.[0]
const a: unknown = r.rows[0]?.a // error`,
  },
  {
    name: "rowMode 'array' without parameters (pool), with a tuple type",
    code: `declare const pool: Pool
const r = await pool.query<[number, string]>('select 1, $$x$$', { rowMode: 'array' })
const n: number | undefined = r.rows[0]?.[0]
const s: string | undefined = r.rows[0]?.[0] // error`,
  },
  {
    name: "rowMode 'array' in a transaction and queryOne",
    code: `declare const pool: Pool
await pool.transaction(async (tx) => {
  const row = await tx.queryOne('select 1 as a', [], { rowMode: 'array' })
  const first: unknown = row?.[0]
  return row?.a // error
})`,
  },
  {
    name: "rowMode 'array' cursor",
    code: `declare const s: Session
const c: Cursor<unknown[]> = s.cursor('select 1', { rowMode: 'array', batchSize: 10 })
const d: Cursor<Record<string, unknown>> = s.cursor('select 1')
void c; void d`,
  },
  {
    name: 'copyToIterable yields byte chunks by default, rows with output rows',
    code: `declare const s: Session
declare const pool: Pool
for await (const chunk of s.copyToIterable('copy t to stdout', { timeout: 5 })) {
  const bytes: Uint8Array = chunk
}
for await (const row of pool.copyToIterable('copy t to stdout', { output: 'rows' })) {
  const cells: (string | null)[] = row
}
for await (const chunk of pool.copyToIterable('copy t to stdout')) {
  const cells: (string | null)[] = chunk // error
}`,
  },
  {
    name: 'copyToIterable with options whose output is open yields either',
    code: `declare const s: Session
declare const opts: CopyToOptions
await s.transaction(async (tx) => {
  for await (const item of tx.copyToIterable('copy t to stdout', opts)) {
    const either: Uint8Array | (string | null)[] = item
    const bytes: Uint8Array = item // error
  }
})`,
  },
]

const HEADER = `import { connect, createPool, type ConnectOptions, type CopyToOptions, type Cursor, type Pool, type Session } from ${JSON.stringify(ENTRY)}\n`

/** Compiles every case in one program; per case, the lines (1-based, body) with errors. */
function compile(cases: readonly Case[]): Map<string, { lines: number[]; messages: string[] }> {
  const files = new Map<string, string>()
  cases.forEach((c, i) => {
    files.set(path.join(SRC, `__api_case_${i}.ts`), `${HEADER}${c.code}\nexport {}\n`)
  })
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noUnusedLocals: false,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (f) => files.get(f) ?? readFile(f)
  host.fileExists = (f) => files.has(f) || fileExists(f)
  host.getSourceFile = (f, lang, onError, create) => {
    const text = files.get(f)
    return text === undefined
      ? getSourceFile(f, lang, onError, create)
      : ts.createSourceFile(f, text, lang)
  }
  const program = ts.createProgram([...files.keys()], options, host)
  const out = new Map<string, { lines: number[]; messages: string[] }>()
  cases.forEach((c, i) => {
    const sf = program.getSourceFile(path.join(SRC, `__api_case_${i}.ts`))!
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
    out.set(c.name, {
      lines: diags.map((d) => sf.getLineAndCharacterOfPosition(d.start ?? 0).line), // 0-based incl. header
      messages: diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    })
  })
  return out
}

describe('public API types', () => {
  const results = compile(CASES)
  for (const c of CASES) {
    it(c.name, () => {
      const got = results.get(c.name)!
      const marked = c.code
        .split('\n')
        .map((line, i) => (line.includes('// error') ? i + 1 : -1))
        .filter((i) => i > 0)
      // The header is line 0, so body line n (1-based) is diagnostic line n.
      expect({ lines: got.lines, messages: got.messages }).toEqual({
        lines: marked,
        messages: marked.map(() => expect.any(String)),
      })
    })
  }
})
