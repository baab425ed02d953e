'use strict'
// Starts the ledger: DATABASE_URL (else the PG* variables), PORT (default 3000; 0 picks one).
const pg = require('pg')
const { createApp, migrate } = require('./app.cjs')

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 5 })
  pool.on('error', (err) => console.error('idle client error:', err.message))
  await migrate(pool)
  const server = createApp(pool)
  server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`)
  })
  const stop = () => server.close(() => pool.end().then(() => process.exit(0)))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
