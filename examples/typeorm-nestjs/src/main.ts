/**
 * `pnpm --filter @tusk/example-typeorm-nestjs start`: starts an embedded PostgreSQL through the
 * testkit (or uses DATABASE_URL), runs the migrations with the TypeORM CLI, and serves the API
 * on PORT (default 3000). Ctrl-C stops the service and the server.
 */
import 'reflect-metadata'
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { NestFactory } from '@nestjs/core'
import { startPostgres } from '@tusk/testkit'
import { AppModule } from './app.module.js'

const postgres = await startPostgres({ source: process.env.DATABASE_URL ? 'env' : 'embedded' })
console.log(
  `PostgreSQL ${postgres.version} (${postgres.source}) on ${postgres.host}:${postgres.port}`,
)

// The CLI, as `pnpm typeorm migration:run` runs it.
const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('typeorm')), 'cli.js')
const tsx = createRequire(import.meta.url).resolve('tsx/cli')
const { stdout } = await promisify(execFile)(
  process.execPath,
  [tsx, cli, 'migration:run', '-d', 'src/data-source.ts'],
  {
    cwd: path.join(import.meta.dirname, '..'),
    env: { ...process.env, DATABASE_URL: postgres.url },
  },
)
console.log(
  stdout
    .trim()
    .split('\n')
    .filter((l) => /Migration|No migrations/.test(l))
    .join('\n'),
)

const app = await NestFactory.create(AppModule.forDatabase(postgres.url), {
  logger: ['error', 'warn'],
})
await app.listen(Number(process.env.PORT ?? 3000))
const url = await app.getUrl()
console.log(`listening on ${url}`)
console.log(
  `  curl -X POST ${url}/books -H 'content-type: application/json' -d '{"title":"The Dispossessed","author":"Ursula K. Le Guin","year":1974}'`,
)
console.log(`  curl ${url}/books`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await app.close()
  await postgres.stop()
  console.log('stopped')
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  })
}
