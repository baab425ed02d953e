/**
 * Global set-up of the conformance project: generates the Prisma Client of the suite's schema
 * (`schema.prisma` here) into `generated/` when it is missing or older than the schema. The
 * `prisma-client` generator needs no engine binary (the query compiler is WASM); the CLI checks
 * for its native schema engine before any command and downloads it from binaries.prisma.sh when
 * missing, so `PRISMA_SCHEMA_ENGINE_BINARY` names a stand-in that generate never runs.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = import.meta.dirname

export default function setup(): void {
  const schema = path.join(dir, 'schema.prisma')
  const client = path.join(dir, 'generated', 'client.ts')
  if (existsSync(client) && statSync(client).mtimeMs >= statSync(schema).mtimeMs) return
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js')
  execFileSync(
    process.execPath,
    [cli, 'generate', '--config', path.join(dir, 'prisma.config.ts')],
    {
      cwd: dir,
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: path.join(dir, 'no-schema-engine.sh'),
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
      stdio: 'pipe',
    },
  )
}

// `tsx src/harnesses/prisma/generate.ts` (the package's typecheck runs it first).
if (process.argv[1] === fileURLToPath(import.meta.url)) setup()
