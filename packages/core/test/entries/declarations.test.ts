// The declarations of the `workerd` entry (dist/neutral.d.ts) type-check in a project without
// @types/node and with skipLibCheck off, as a Worker project has it; the Node entry's
// (dist/index.d.ts, for node, bun, deno and `default`) name node:stream and cannot. `default` keeps
// the Node declarations because `moduleResolution: "bundler"` lands there for Node projects too.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const core = path.join(import.meta.dirname, '../..')

/** A consumer that uses the API, the Node-stream-returning `copyTo()` included. */
const CONSUMER = `import { ConfigError, connect, runtimeEntry, type RuntimeEntry } from '@tusk/core'
export const entry: RuntimeEntry = runtimeEntry
export async function count(url: string): Promise<number> {
  const db = await connect(url, { connectTimeout: 5_000 })
  try {
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from t')
    for await (const batch of db.cursor<{ id: number }>('select id from t')) void batch[0]?.id
    for await (const chunk of db.copyTo('copy t to stdout')) void chunk
    return rows[0]?.n ?? 0
  } catch (err) {
    if (err instanceof ConfigError) return -1
    throw err
  } finally {
    await db.close()
  }
}
`

let dir: string

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tusk-entries-dts-'))
  mkdirSync(path.join(dir, 'node_modules', '@tusk'), { recursive: true })
  symlinkSync(core, path.join(dir, 'node_modules', '@tusk', 'core'), 'dir')
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n')
  writeFileSync(path.join(dir, 'consumer.ts'), CONSUMER)
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Resolves and type-checks the consumer under `conditions`; the declaration file and the errors. */
function check(conditions: string[]): { resolved: string | undefined; errors: string[] } {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    // What a Worker has (workers-types declares the same globals) and no Node.
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts', 'lib.webworker.d.ts'],
    types: [],
    customConditions: conditions,
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  }
  const program = ts.createProgram([path.join(dir, 'consumer.ts')], options)
  const resolved = ts.resolveModuleName(
    '@tusk/core',
    path.join(dir, 'consumer.ts'),
    options,
    ts.sys,
  ).resolvedModule?.resolvedFileName
  const errors = ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  return { resolved: resolved && path.relative(core, realpathSync(resolved)), errors }
}

describe('declarations without @types/node (types: [], skipLibCheck: false)', () => {
  it('the workerd condition resolves dist/neutral.d.ts and type-checks', () => {
    const { resolved, errors } = check(['workerd'])
    expect(resolved).toBe(path.join('dist', 'neutral.d.ts'))
    expect(errors).toEqual([])
  })

  it('the default condition (no custom condition) resolves dist/index.d.ts, Node-typed', () => {
    const { resolved, errors } = check([])
    expect(resolved).toBe(path.join('dist', 'index.d.ts'))
    expect(errors.join('\n')).toMatch(/node:stream/)
  })

  it('the node condition resolves dist/index.d.ts, which needs @types/node', () => {
    const { resolved, errors } = check(['node'])
    expect(resolved).toBe(path.join('dist', 'index.d.ts'))
    expect(errors.join('\n')).toMatch(/node:stream/)
  })
})
