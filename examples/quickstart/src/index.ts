// The quickstart tour: start a throwaway PostgreSQL, then meet @tusk/core — connections, TLS,
// typed errors, parameters, types, transactions and the pool.
import { connect, createPool, errors, sql } from '@tusk/core'
import { startPostgres } from '@tusk/testkit'

const server = await startPostgres()
console.log(
  `started PostgreSQL ${server.version} (${server.source}) on ${server.host}:${server.port}\n`,
)
try {
  // 1. A connection from a libpq-style URL. sslmode defaults to prefer: TLS when offered.
  const conn = await connect(server.url)
  const { tls, authMethod, protocolVersion } = conn.details
  console.log(`connected: server_version ${conn.serverVersion}, protocol ${protocolVersion}`)
  console.log(
    `  TLS: ${tls ? `${tls.protocol} (${tls.cipher})` : 'off'}; authentication: ${authMethod}`,
  )

  // 2. Errors are typed: one class per SQLSTATE, with the server's fields and a caret.
  try {
    await conn.query('select * from no_such_table')
  } catch (err) {
    if (!(err instanceof errors.UndefinedTable)) throw err
    console.log(`  ${err.name} (${err.code}): ${err.message.split('\n').join('\n    ')}\n`)
  }

  // 3. A table, rows inserted with parameters, every common type read back losslessly.
  await conn.exec(`
    create table gadgets (
      id int8 generated always as identity primary key,
      name text unique not null,
      price numeric(12, 2),
      weight float8,
      in_stock bool,
      tags text[],
      specs jsonb,
      made_on date,
      added_at timestamptz default now(),
      warranty interval,
      sku uuid default gen_random_uuid(),
      blob bytea
    )`)
  const insert =
    'insert into gadgets (name, price, weight, in_stock, tags, specs, made_on, warranty, blob) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)'
  await conn.query(insert, [
    'lamp',
    '19.99',
    1.25,
    true,
    ['home', 'light'],
    { watts: 9 },
    '2026-01-15',
    '2 years',
    new Uint8Array([1, 2, 3]),
  ])
  await conn.query(insert, [
    'kettle',
    '34.50',
    0.9,
    false,
    [],
    { litres: 1.7 },
    '2025-11-30',
    '6 months',
    null,
  ])
  const lamp = await conn.queryOne(sql`select * from gadgets where name = ${'lamp'}`)
  console.log('a row, as JS values:')
  for (const [k, v] of Object.entries(lamp ?? {})) {
    const shown =
      v instanceof Uint8Array
        ? `Uint8Array [${[...v].join(', ')}]`
        : typeof v === 'bigint'
          ? `${v}n`
          : (JSON.stringify(v) ?? String(v))
    console.log(
      `  ${k.padEnd(9)} ${(v === null ? 'null' : ((v as object).constructor?.name ?? typeof v)).padEnd(11)} ${shown}`,
    )
  }

  // 4. A transaction with a savepoint: the inner failure is rolled back alone.
  await conn.transaction(async (tx) => {
    await tx.query("update gadgets set price = price * 0.9 where name = 'lamp'")
    await tx
      .savepoint(async (sp) => {
        await sp.query("insert into gadgets (name) values ('kettle')") // duplicate name
      })
      .catch((err) => {
        if (!(err instanceof errors.UniqueViolation)) throw err
        console.log(`\nsavepoint rolled back: ${err.name} on ${err.table}.${err.constraint}`)
        console.log(`  detail: ${err.detail}`)
      })
  })
  const price = await conn.queryOne<{ price: string }>(
    "select price from gadgets where name = 'lamp'",
  )
  console.log(`  the transaction still committed: lamp now costs ${price?.price}\n`)
  await conn.close()

  // 5. The pool: concurrent queries share a few connections; once all are busy, pool.query
  //    pipelines statements onto them instead of queueing (each still its own transaction).
  const pool = createPool(server.url, { max: 4 })
  const started = performance.now()
  const counts = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      pool.queryOne<{ n: number }>('select $1::int4 * 2 as n', [i]),
    ),
  )
  const stats = pool.stats()
  console.log(
    `pool: 200 queries over ${stats.created} connections in ${(performance.now() - started).toFixed(0)} ms, ${stats.pipelined} of them pipelined (sum ${counts.reduce((a, r) => a + (r?.n ?? 0), 0)})`,
  )

  // 6. Big data, safely: COPY a million rows in, stream them back with a cursor in bounded
  //    memory, and let the result-size guard stop a query that would load everything.
  await pool.exec('create table readings (id int4, at timestamptz, value float8)')
  const total = 1_000_000
  const mib = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`
  const bar = (done: number) => {
    const width = 30
    const filled = Math.round((done / total) * width)
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}%`
  }
  async function* readings() {
    const start = Date.UTC(2026, 0, 1)
    for (let i = 1; i <= total; i++) {
      yield [i, new Date(start + i * 1000), Math.sin(i / 1000)]
      if (i % 100_000 === 0) process.stdout.write(`\r  COPY in   ${bar(i)}`)
    }
  }
  const copied = await pool.copyFrom('copy readings from stdin (format binary)', readings(), {
    format: 'binary',
    columnTypes: ['int4', 'timestamptz', 'float8'],
  })
  console.log(`\n  copied ${copied.rowCount} rows`)
  let seen = 0
  let sum = 0
  const cursor = await pool.cursor<{ value: number }>('select value from readings order by id', {
    batchSize: 10_000,
  })
  for await (const batch of cursor) {
    for (const row of batch) sum += row.value
    seen += batch.length
    if (seen % 200_000 === 0) process.stdout.write(`\r  cursor    ${bar(seen)}  RSS ${mib()}`)
  }
  console.log(`\n  streamed ${seen} rows (sum ${sum.toFixed(3)}), RSS stayed at ${mib()}`)
  try {
    await pool.query('select * from readings', [], { maxRows: 10_000 })
  } catch (err) {
    if (!(err instanceof errors.ResultTooLarge)) throw err
    console.log(`  guard: ${err.message}`)
  }
  await pool.end()
} finally {
  await server.stop()
}
