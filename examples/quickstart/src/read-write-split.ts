// A read/write split on a primary and a streaming standby (started here on loopback by the
// testkit's lab): writes on the primary, reads on the standby, a read-your-writes request, and a
// failover that the cluster rides through. Run: pnpm --filter @tusk/example-quickstart read-write-split
import { createCluster, errors } from '@tusk/core'
import { startLab } from '@tusk/testkit'

const lab = await startLab()
const [a, b] = lab.nodes
console.log(`primary on port ${a.port}, standby on port ${b.port} (PostgreSQL ${lab.version})\n`)

// One host list for both sides: writes find the server that accepts them, reads prefer standbys.
const db = createCluster(lab.conninfo(lab.nodes), {
  max: 4,
  acquireTimeout: 2_000,
  retryBackoff: { maxDelayMs: 200 },
})
const port = async (q: { query: typeof db.query }) =>
  (await q.query<{ p: number }>('select inet_server_port() as p')).rows[0]?.p

try {
  await db.query('create table orders (id serial primary key, item text not null)')
  console.log(`writes go to port ${await port(db)}, reads to port ${await port(db.read)}`)

  // A request that must see what it just wrote: its read waits for the standby to replay the
  // write (or, past maxLagWait, runs on the primary).
  const request = db.readYourWrites({ maxLagWait: 500 })
  const { rows } = await request.query<{ id: number }>(
    'insert into orders (item) values ($1) returning id',
    ['teapot'],
  )
  const mine = await request.read('select item from orders where id = $1', [rows[0]?.id])
  console.log(
    `read-your-writes: ${JSON.stringify(mine.rows)} on the ${request.lastRead?.on} after ${request.lastRead?.waitedMs} ms`,
  )

  // The standby is read-only, and says so with a typed error.
  try {
    await db.read.query("insert into orders (item) values ('nope')")
  } catch (err) {
    if (!(err instanceof errors.ReadOnlySqlTransaction)) throw err
    console.log(`a write on the read side: ${err.name} (${err.code})`)
  }

  // Failover: the primary dies, the standby is promoted, writes carry on there.
  await a.stop('immediate')
  console.log('\nprimary killed (immediate shutdown)')
  const t0 = Date.now()
  await b.promote()
  console.log(`standby promoted in ${Date.now() - t0} ms`)
  for (;;) {
    try {
      await db.query("insert into orders (item) values ('after failover')")
      break
    } catch (err) {
      if (!(err instanceof errors.OperationalError)) throw err
      console.log(`  write failed while switching: ${err.name}`)
    }
  }
  console.log(
    `writes resumed on port ${await port(db)} ${Date.now() - t0} ms after the promotion began`,
  )
  const count = await db.queryOne<{ n: string }>('select count(*)::text as n from orders')
  console.log(`orders on the new primary: ${count?.n}`)
} finally {
  await db.end()
  await lab.stop()
}
