/**
 * `pnpm --filter @tusk/example-knex-express start`: starts an embedded PostgreSQL through the
 * testkit (or uses DATABASE_URL), applies the migrations and the seeds of the knexfile with Knex,
 * and serves the API on PORT (default 3000). Ctrl-C stops the service and the server.
 */
import type { AddressInfo } from 'node:net'
import { startPostgres } from '@tusk/testkit'
import knex from 'knex'
import { createApp } from './app.js'
import { knexConfig } from './knexfile.js'

const postgres = await startPostgres({ source: process.env.DATABASE_URL ? 'env' : 'embedded' })
console.log(
  `PostgreSQL ${postgres.version} (${postgres.source}) on ${postgres.host}:${postgres.port}`,
)

const db = knex(knexConfig(postgres.url))
const [batch, applied] = (await db.migrate.latest()) as [number, string[]]
console.log(`migrations: batch ${batch}, ${applied.length} applied`)
const [seeds] = (await db.seed.run()) as [string[]]
console.log(`seeds: ${seeds.length} run`)

const server = createApp(db).listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address() as AddressInfo
  console.log(`listening on http://localhost:${port}`)
  console.log(`  curl localhost:${port}/products`)
  console.log(`  curl localhost:${port}/products/export.csv`)
})

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  server.close()
  server.closeAllConnections()
  await db.destroy()
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
