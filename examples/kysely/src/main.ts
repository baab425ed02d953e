/**
 * `pnpm --filter @tusk/example-kysely start`: starts an embedded PostgreSQL through the testkit
 * (or uses DATABASE_URL), applies the migrations with Kysely's Migrator and serves the to-do API
 * on PORT (default 3000). Ctrl-C stops the service and the server.
 */
import type { AddressInfo } from 'node:net'
import { TuskDialect } from '@tusk/kysely-dialect'
import { startPostgres } from '@tusk/testkit'
import { Kysely } from 'kysely'
import { createApp } from './app.js'
import { migrateToLatest } from './migrate.js'
import type { Database } from './schema.js'

const postgres = await startPostgres({ source: process.env.DATABASE_URL ? 'env' : 'embedded' })
console.log(
  `PostgreSQL ${postgres.version} (${postgres.source}) on ${postgres.host}:${postgres.port}`,
)

const db = new Kysely<Database>({
  dialect: new TuskDialect({ conninfo: postgres.url, poolOptions: { max: 10 } }),
})
const { results } = await migrateToLatest(db)
for (const r of results ?? []) console.log(`migration ${r.migrationName}: ${r.status}`)

const app = createApp(db)
app.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = app.address() as AddressInfo
  console.log(`listening on http://localhost:${port}`)
  console.log(`  curl -X POST localhost:${port}/todos -d '{"title":"try Tusk"}'`)
  console.log(`  curl localhost:${port}/todos`)
})

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  app.close()
  app.closeAllConnections()
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
