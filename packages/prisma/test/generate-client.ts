/**
 * Global set-up: generates the Prisma Client of `test/prisma/schema.prisma` into
 * `test/generated` (the `prisma-client` generator, query compiler in WASM: no engine binary), when
 * it is missing or older than the schema. The CLI wants the native schema engine to exist before
 * any command, and downloads it from binaries.prisma.sh otherwise; generate does not use it, so
 * `PRISMA_SCHEMA_ENGINE_BINARY` points at a stand-in that refuses to run.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const testDir = import.meta.dirname

/** Runs `prisma generate` for the schema in `dir/prisma` unless `dir/generated` is current. */
export function generateClient(dir: string): void {
  const schema = path.join(dir, 'prisma', 'schema.prisma')
  const client = path.join(dir, 'generated', 'client.ts')
  if (existsSync(client) && statSync(client).mtimeMs >= statSync(schema).mtimeMs) return
  const cli = path.join(testDir, '..', 'node_modules', 'prisma', 'build', 'index.js')
  execFileSync(
    process.execPath,
    [cli, 'generate', '--config', path.join(dir, 'prisma.config.ts')],
    {
      cwd: dir,
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: path.join(testDir, 'prisma', 'no-schema-engine.sh'),
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
      stdio: 'pipe',
    },
  )
}

export default function setup(): void {
  generateClient(testDir)
}

// `tsx test/generate-client.ts` (the package's typecheck runs it first).
if (process.argv[1] === fileURLToPath(import.meta.url)) setup()
