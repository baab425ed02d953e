/**
 * Generates a Prisma Client for tests and benchmarks, offline: the `prisma-client` generator needs
 * no engine binary (the query compiler is WASM), but the CLI looks for its native schema engine
 * before any command and downloads it from binaries.prisma.sh (not the npm registry) when missing,
 * so `PRISMA_SCHEMA_ENGINE_BINARY` names a stand-in (`bin/no-schema-engine.sh`) that generate never
 * runs and that says why anything else fails.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/** Where the schema, its `prisma.config.ts` and the generated client are. */
export interface PrismaClientPaths {
  /** The `schema.prisma` file. */
  schema: string
  /** The `prisma.config.ts` that `prisma generate --config` reads; its folder is the cwd. */
  config: string
  /** A file the generator writes (e.g. `generated/client.ts`): current when newer than `schema`. */
  generated: string
  /** A file of the package that installs `prisma`, to resolve its CLI from. */
  from: string
}

/** Runs `prisma generate` unless the generated client is newer than the schema. */
export function generatePrismaClient(paths: PrismaClientPaths): void {
  const { schema, config, generated } = paths
  if (existsSync(generated) && statSync(generated).mtimeMs >= statSync(schema).mtimeMs) return
  const cli = createRequire(paths.from).resolve('prisma/build/index.js')
  execFileSync(process.execPath, [cli, 'generate', '--config', config], {
    cwd: path.dirname(config),
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: path.join(
        import.meta.dirname,
        '..',
        'bin',
        'no-schema-engine.sh',
      ),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
    stdio: 'pipe',
  })
}
