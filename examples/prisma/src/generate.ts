/**
 * `prisma generate`, from the npm registry alone: the `prisma-client` generator writes the client
 * to src/generated with the query compiler as WASM, so no engine binary is needed. The Prisma CLI
 * still wants its native schema engine present before any command (downloading it from
 * binaries.prisma.sh otherwise), so PRISMA_SCHEMA_ENGINE_BINARY names a stand-in that generate
 * never runs, unless the environment names a real one. Skipped when the client is current.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const schema = path.join(root, 'prisma', 'schema.prisma')
const client = path.join(root, 'src', 'generated', 'client.ts')

if (!existsSync(client) || statSync(client).mtimeMs < statSync(schema).mtimeMs) {
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js')
  execFileSync(process.execPath, [cli, 'generate'], {
    cwd: root,
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY:
        process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(root, 'prisma', 'no-schema-engine.sh'),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
    stdio: 'inherit',
  })
}
