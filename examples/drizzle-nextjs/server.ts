/**
 * `pnpm --filter @tusk/example-drizzle-nextjs start`, the one command: starts an embedded
 * PostgreSQL through the testkit (or uses DATABASE_URL), applies the drizzle-kit migrations in
 * `drizzle/` with `migrate()` from @tusk/drizzle/migrator, seeds an empty database, builds the app
 * with `next build` when the build is missing or older than the sources, and serves it on PORT
 * (default 3000) with Next.js's production server. Ctrl-C stops the app and the database.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { migrate } from '@tusk/drizzle/migrator'
import { startPostgres } from '@tusk/testkit'
import { closeDb, db } from './src/db/client'
import { seed } from './src/db/seed'

const root = import.meta.dirname
// What `next start` sets: React's and Next.js's production builds, and no telemetry.
Object.assign(process.env, { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' })
const { default: next } = await import('next')

/** The newest modification time of a file under `entry` (ms). */
function newest(entry: string): number {
  const stat = statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newest(path.join(entry, name))))
}

function buildIsCurrent(): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID')
  if (!existsSync(buildId)) return false
  const sources = ['src', 'next.config.ts', 'package.json', 'tsconfig.json']
  return Math.max(...sources.map((s) => newest(path.join(root, s)))) < statSync(buildId).mtimeMs
}

if (!buildIsCurrent()) {
  console.log('building the app (next build)')
  const nextCli = createRequire(import.meta.url).resolve('next/dist/bin/next')
  const built = spawnSync(process.execPath, [nextCli, 'build'], { cwd: root, stdio: 'inherit' })
  if (built.status !== 0) {
    console.error(`next build failed (${built.signal ?? `exit code ${built.status}`})`)
    process.exit(1)
  }
}

const postgres = await startPostgres({ source: process.env.DATABASE_URL ? 'env' : 'embedded' })
console.log(
  `PostgreSQL ${postgres.version} (${postgres.source}) on ${postgres.host}:${postgres.port}`,
)
process.env.DATABASE_URL = postgres.url

await migrate(db(), { migrationsFolder: path.join(root, 'drizzle') })
const { rows } = await db().execute<{ count: number }>(
  'select count(*)::int as count from drizzle.__drizzle_migrations',
)
console.log(`migrations: ${rows[0]!.count} applied`)
console.log(`seed: ${await seed(db())} books inserted`)

const app = next({ dev: false, dir: root })
await app.prepare()
const handle = app.getRequestHandler()
const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    console.error(err)
    res.statusCode = 500
    res.end('internal error')
  })
})
server.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address() as AddressInfo
  console.log(`listening on http://localhost:${port}`)
  console.log(`  open   http://localhost:${port}/`)
  console.log(`  curl   localhost:${port}/api/books`)
  console.log(`  curl   localhost:${port}/api/books/export`)
})

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  server.close()
  server.closeAllConnections()
  await app.close()
  await closeDb()
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
