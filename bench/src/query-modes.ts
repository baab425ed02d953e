/**
 * A before/after micro-benchmark of two @tusk/core features, each measured against itself with
 * the feature off, interleaved in one run: the prepared-statement cache (cached vs never
 * prepared) and pipelining (1 000 queries in flight vs one at a time) on one connection, and
 * the pool's pipelining (64 callers over 8 connections, `maxPipeline` 8 vs 1).
 */
import { connect, createPool, type Pool } from '@tusk/core'
import { startPostgres } from '@tusk/testkit'

const RUNS = Number(process.env.RUNS ?? 7)
const QUERIES = 5_000
const PIPELINED = 1_000
const POOL_QUERIES = 50_000
const POOL_CALLERS = 64
const POOL_SIZE = 8
const TEXT = 'select $1::int4 as a, $2::text as b, now() as c'
/** A statement whose planning costs more than its execution: a 4-way catalog join. */
const HEAVY = `select c.relname, n.nspname, a.attname, t.typname
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid join pg_type t on t.oid = a.atttypid
  where c.oid = $1::oid and a.attnum = $2::int2`

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

const server = await startPostgres({
  source: process.env.BENCH_PG_SOURCE === 'embedded' ? 'embedded' : 'system',
  tls: false,
})
try {
  const url = `${server.url}?sslmode=disable`
  const cached = await connect(url, { prepareThreshold: 0 })
  const unprepared = await connect(url, { prepare: false })
  const poolPipelined = createPool(url, { max: POOL_SIZE })
  const poolOneByOne = createPool(url, { max: POOL_SIZE, maxPipeline: 1 })
  const results: Record<string, number[]> = {
    cached: [],
    unprepared: [],
    heavyCached: [],
    heavyUnprepared: [],
    pipelined: [],
    sequential: [],
    poolPipelined: [],
    poolOneByOne: [],
  }
  const time = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now()
    await fn()
    return performance.now() - t0
  }
  const sequentialRun = async (c: typeof cached, n: number) => {
    for (let i = 0; i < n; i++) await c.query(TEXT, [i, 'x'])
  }
  const heavyRun = async (c: typeof cached, n: number) => {
    for (let i = 0; i < n; i++) await c.query(HEAVY, [1259, (i % 5) + 1])
  }
  /** `POOL_QUERIES` of TEXT through `pool`, `POOL_CALLERS` callers each awaiting its own. */
  const poolRun = async (pool: Pool) => {
    let next = 0
    const caller = async () => {
      while (next < POOL_QUERIES) await pool.query(TEXT, [next++, 'x'])
    }
    await Promise.all(Array.from({ length: POOL_CALLERS }, caller))
  }
  await poolRun(poolPipelined)
  await poolRun(poolOneByOne)
  await sequentialRun(cached, 500)
  await sequentialRun(unprepared, 500)
  for (let r = 0; r < RUNS; r++) {
    results.cached!.push(QUERIES / ((await time(() => sequentialRun(cached, QUERIES))) / 1000))
    results.unprepared!.push(
      QUERIES / ((await time(() => sequentialRun(unprepared, QUERIES))) / 1000),
    )
    results.heavyCached!.push(QUERIES / ((await time(() => heavyRun(cached, QUERIES))) / 1000))
    results.heavyUnprepared!.push(
      QUERIES / ((await time(() => heavyRun(unprepared, QUERIES))) / 1000),
    )
    results.pipelined!.push(
      PIPELINED /
        ((await time(() =>
          Promise.all(Array.from({ length: PIPELINED }, (_, i) => cached.query(TEXT, [i, 'x']))),
        )) /
          1000),
    )
    results.sequential!.push(
      PIPELINED / ((await time(() => sequentialRun(cached, PIPELINED))) / 1000),
    )
    results.poolPipelined!.push(POOL_QUERIES / ((await time(() => poolRun(poolPipelined))) / 1000))
    results.poolOneByOne!.push(POOL_QUERIES / ((await time(() => poolRun(poolOneByOne))) / 1000))
  }
  const pipelinedShare = poolPipelined.stats().pipelined / poolPipelined.stats().acquires
  await cached.close()
  await unprepared.close()
  await poolPipelined.end()
  await poolOneByOne.end()
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]))
  const ratio = (a: string, b: string) => {
    const pairs = results[a]!.map((x, i) => x / results[b]![i]!)
    return `${median(pairs).toFixed(2)}× (${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)})`
  }
  console.log(
    `PostgreSQL ${server.version} (${server.source}), Node ${process.version}, ${RUNS} interleaved runs, medians`,
  )
  console.log(`| mode | queries/s | ratio |`)
  console.log(`|---|--:|--:|`)
  console.log(
    `| cached prepared statement (${QUERIES} sequential) | ${m.cached!.toFixed(0)} | ${ratio('cached', 'unprepared')} vs unprepared |`,
  )
  console.log(`| unnamed statement, never prepared | ${m.unprepared!.toFixed(0)} | 1.00× |`)
  console.log(
    `| 4-way catalog join, cached | ${m.heavyCached!.toFixed(0)} | ${ratio('heavyCached', 'heavyUnprepared')} vs unprepared |`,
  )
  console.log(`| 4-way catalog join, never prepared | ${m.heavyUnprepared!.toFixed(0)} | 1.00× |`)
  console.log(
    `| ${PIPELINED} pipelined on one connection | ${m.pipelined!.toFixed(0)} | ${ratio('pipelined', 'sequential')} vs sequential |`,
  )
  console.log(`| ${PIPELINED} sequential on one connection | ${m.sequential!.toFixed(0)} | 1.00× |`)
  console.log(
    `| pool of ${POOL_SIZE}, ${POOL_CALLERS} callers, maxPipeline 8 (default; ${(pipelinedShare * 100).toFixed(0)} % pipelined) | ${m.poolPipelined!.toFixed(0)} | ${ratio('poolPipelined', 'poolOneByOne')} vs maxPipeline 1 |`,
  )
  console.log(
    `| pool of ${POOL_SIZE}, ${POOL_CALLERS} callers, maxPipeline 1 (one statement per connection) | ${m.poolOneByOne!.toFixed(0)} | 1.00× |`,
  )
} finally {
  await server.stop()
}
