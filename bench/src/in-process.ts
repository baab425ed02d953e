/**
 * The workloads for drivers that run inside the child process. Each one prepares its inputs, then
 * times only the driver calls; timing uses performance.now(), CPU process.cpuUsage() and memory
 * a 10 ms RSS sampler (plus the kernel's own peak, which a sampler can miss).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  type Checkout,
  type DriverAdapter,
  type IntQuery,
  NotAvailable,
  type PoolMode,
  type PoolTarget,
  type Session,
} from './drivers/driver.js'
import {
  COLUMNS,
  COPY_FILE,
  COPY_SQL,
  INSERT_TABLE,
  insertSql,
  rowValues,
  STREAM_TABLE,
  WIDE_TABLE,
} from './fixtures.js'
import { expectRows, expectValues, saturate, seconds, touch } from './measure.js'
import { meterServer } from './server-cpu.js'
import { percentile } from './stats.js'
import type { Sample, Sizes, WorkloadId } from './workloads.js'

/**
 * Untimed queries before a timed pass, so statement caches are warm and the JIT has compiled the
 * driver's query path: the passes measure the steady state of a long-running process (with 64,
 * W1's first few thousand timed queries ran in V8's unoptimised tiers, about 1.5× slower).
 */
const WARM_QUERIES = 2_000
/**
 * Untimed checkouts W6 makes from all its callers before each timed pass, so its code paths are
 * warm and each pass starts from the same pool state.
 */
const WARM_CHECKOUTS = 2_000
const COPY_CHUNK_BYTES = 64 * 1024

/**
 * Peak resident set size while `fn` runs (10 ms samples and the kernel's high-water mark), and
 * the growth of the sampled peak over the process's idle RSS just before (after a collection when
 * the child runs with --expose-gc): what the workload itself holds at its worst.
 */
async function withPeakRss<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; peakRssMiB: number; rssGrowthMiB: number }> {
  ;(globalThis as { gc?: () => void }).gc?.()
  const idle = process.memoryUsage.rss()
  let sampled = idle
  const timer = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss())
  }, 10)
  try {
    const value = await fn()
    sampled = Math.max(sampled, process.memoryUsage.rss())
    const peak = Math.max(sampled, process.resourceUsage().maxRSS * 1024)
    return { value, peakRssMiB: peak / 2 ** 20, rssGrowthMiB: (sampled - idle) / 2 ** 20 }
  } finally {
    clearInterval(timer)
  }
}

/** Runs `total` calls of `target.selectInt` (see `saturate`). */
function saturateInts(
  target: IntQuery,
  total: number,
  inFlight: number,
  latencies?: Float64Array,
): Promise<number> {
  return saturate((i) => target.selectInt(i), total, inFlight, latencies)
}

async function sequential(
  session: Session,
  sizes: Sizes,
  serverPid: number | undefined,
): Promise<Sample> {
  for (let i = 0; i < WARM_QUERIES; i++) await session.selectOne()
  const n = sizes.sequentialQueries
  const latencies = new Float64Array(n)
  const server = meterServer(serverPid)
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await session.selectOne()
    latencies[i] = performance.now() - t
  }
  const elapsed = seconds(start)
  latencies.sort()
  return {
    qps: n / elapsed,
    p50Us: percentile(latencies, 0.5) * 1000,
    p99Us: percentile(latencies, 0.99) * 1000,
    ...server(elapsed),
  }
}

/** Opens the adapter's pool of `sizes.poolSize` connections, runs `fn` on it and closes it. */
async function withPool(
  adapter: DriverAdapter,
  url: string,
  sizes: Sizes,
  mode: PoolMode,
  fn: (pool: PoolTarget) => Promise<Sample>,
): Promise<Sample> {
  if (!adapter.pool) throw new NotAvailable(adapter.missing.pool ?? 'n/a (no pool)')
  const pool = await adapter.pool(url, sizes.poolSize, mode)
  try {
    return await fn(pool)
  } finally {
    await pool.close()
  }
}

/** W2 and W2 pipelined: throughput, and each caller's latency (p50, p99). */
async function pooled(pool: IntQuery, sizes: Sizes): Promise<Sample> {
  await saturateInts(pool, WARM_QUERIES, sizes.inFlight)
  const n = sizes.concurrentQueries
  const latencies = new Float64Array(n)
  const elapsed = await saturateInts(pool, n, sizes.inFlight, latencies)
  latencies.sort()
  return {
    qps: n / elapsed,
    p50Us: percentile(latencies, 0.5) * 1000,
    p99Us: percentile(latencies, 0.99) * 1000,
  }
}

/**
 * Checks out `size` connections at once, each held until all `size` are, so that every
 * connection of a pool of `size` is open before anything is timed.
 */
async function openEvery(checkout: Checkout, size: number): Promise<void> {
  let held = 0
  let allHeld = (): void => {}
  const everyoneHolds = new Promise<void>((resolve) => {
    allHeld = resolve
  })
  const hold = (): Promise<void> => {
    if (++held === size) allHeld()
    return everyoneHolds
  }
  await Promise.all(Array.from({ length: size }, () => checkout(hold)))
}

/** Runs `total` checkouts from `callers` callers at once; returns the seconds it took. */
async function churn(checkout: Checkout, total: number, callers: number): Promise<number> {
  let started = 0
  let done = 0
  const caller = async (): Promise<void> => {
    while (started < total) {
      started++
      await checkout()
      done++
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: callers }, caller))
  const elapsed = seconds(start)
  if (done !== total) throw new Error(`expected ${total} checkouts, completed ${done}`)
  return elapsed
}

/**
 * W6: acquire + release with no query, from `inFlight` callers over the open pool, then from one
 * caller; its p50 comes from a further pass of as many checkouts, each timed on its own (so the
 * clock reads stay out of the throughput figures). A round of WARM_CHECKOUTS precedes each pass.
 */
async function checkouts(
  pool: PoolTarget,
  missing: string | undefined,
  sizes: Sizes,
): Promise<Sample> {
  const checkout = pool.checkout
  if (!checkout) throw new NotAvailable(missing ?? 'n/a (no pool checkout)')
  const warm = (): Promise<number> => churn(checkout, WARM_CHECKOUTS, sizes.inFlight)
  const n = sizes.checkouts
  await openEvery(checkout, sizes.poolSize)
  await warm()
  const concurrent = await churn(checkout, n, sizes.inFlight)
  await warm()
  const oneCaller = await churn(checkout, n, 1)
  await warm()
  const latencies = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await checkout()
    latencies[i] = performance.now() - t
  }
  latencies.sort()
  return {
    checkoutsPerSec: n / concurrent,
    oneCallerCheckoutsPerSec: n / oneCaller,
    oneCallerP50Us: percentile(latencies, 0.5) * 1000,
  }
}

async function pipelined(
  session: Session,
  sizes: Sizes,
  serverPid: number | undefined,
): Promise<Sample> {
  await saturateInts(session, WARM_QUERIES, sizes.inFlight)
  const server = meterServer(serverPid)
  const elapsed = await saturateInts(session, sizes.concurrentQueries, sizes.inFlight)
  return { qps: sizes.concurrentQueries / elapsed, ...server(elapsed) }
}

async function wideRead(
  session: Session,
  sizes: Sizes,
  serverPid: number | undefined,
): Promise<Sample> {
  const text = `SELECT ${COLUMNS.join(', ')} FROM ${WIDE_TABLE}`
  let values = 0
  // The /proc reads stay out of the client CPU figure: before it starts, after it ends.
  const server = meterServer(serverPid)
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < sizes.wideReads; i++) {
    for (const row of await session.readAll(text)) values += touch(row)
  }
  const elapsed = seconds(start)
  const used = process.cpuUsage(cpu)
  const rows = sizes.wideRows * sizes.wideReads
  expectValues(values, rows)
  return {
    rowsPerSec: rows / elapsed,
    cpuMs: (used.user + used.system) / 1000,
    ...server(elapsed),
  }
}

async function countInserted(session: Session): Promise<number> {
  const [row] = await session.readAll(`SELECT count(*)::int AS n FROM ${INSERT_TABLE}`)
  return Number(row?.n)
}

/** The name W4 INSERT named gives its statement. */
const INSERT_STATEMENT = 'bench_insert_rows'

async function multiRowInsert(session: Session, sizes: Sizes, named: boolean): Promise<Sample> {
  await session.execute(`TRUNCATE ${INSERT_TABLE}`, [])
  const per = sizes.rowsPerStatement
  const text = insertSql(per)
  const batches: unknown[][] = []
  for (let first = 1; first <= sizes.insertRows; first += per) {
    const params: unknown[] = []
    for (let i = first; i < first + per; i++) params.push(...rowValues(i))
    batches.push(params)
  }
  const start = performance.now()
  if (named) {
    for (const params of batches) await session.executeNamed(INSERT_STATEMENT, text, params)
  } else {
    for (const params of batches) await session.execute(text, params)
  }
  const elapsed = seconds(start)
  expectRows(await countInserted(session), sizes.insertRows)
  return { rowsPerSec: sizes.insertRows / elapsed }
}

async function copyIn(session: Session, sizes: Sizes, workDir: string): Promise<Sample> {
  if (!session.copyIn) throw new NotAvailable('n/a (no COPY FROM STDIN)')
  await session.execute(`TRUNCATE ${INSERT_TABLE}`, [])
  const data = readFileSync(path.join(workDir, COPY_FILE))
  const chunks: Buffer[] = []
  for (let at = 0; at < data.length; at += COPY_CHUNK_BYTES) {
    chunks.push(data.subarray(at, at + COPY_CHUNK_BYTES))
  }
  const start = performance.now()
  await session.copyIn(COPY_SQL, chunks)
  const elapsed = seconds(start)
  expectRows(await countInserted(session), sizes.insertRows)
  return { rowsPerSec: sizes.insertRows / elapsed }
}

const streamSql = `SELECT ${COLUMNS.join(', ')} FROM ${STREAM_TABLE}`

async function cursorRead(
  session: Session,
  sizes: Sizes,
  serverPid: number | undefined,
): Promise<Sample> {
  const cursor = session.cursor
  if (!cursor) throw new NotAvailable('n/a (no cursor or stream)')
  let values = 0
  const server = meterServer(serverPid)
  const start = performance.now()
  const {
    value: rows,
    peakRssMiB,
    rssGrowthMiB,
  } = await withPeakRss(() =>
    cursor(streamSql, sizes.cursorBatch, (row) => {
      values += touch(row)
    }),
  )
  const elapsed = seconds(start)
  expectRows(rows, sizes.streamRows)
  expectValues(values, rows)
  return { rowsPerSec: rows / elapsed, peakRssMiB, rssGrowthMiB, ...server(elapsed) }
}

async function plainRead(session: Session, sizes: Sizes): Promise<Sample> {
  const start = performance.now()
  let values = 0
  const { value: rows, peakRssMiB } = await withPeakRss(async () => {
    const result = await session.readAll(streamSql)
    for (const row of result) values += touch(row)
    return result.length
  })
  const elapsed = seconds(start)
  expectRows(rows, sizes.streamRows)
  expectValues(values, rows)
  return { peakRssMiB, rowsPerSec: rows / elapsed }
}

/** Runs one workload with an in-process driver and returns its measurements. */
export async function runInProcess(
  workload: WorkloadId,
  adapter: DriverAdapter,
  url: string,
  sizes: Sizes,
  workDir: string,
  serverPid?: number,
): Promise<Sample> {
  if (workload === 'W2' || workload === 'OTEL-W2') {
    return withPool(adapter, url, sizes, 'serial', (pool) => pooled(pool, sizes))
  }
  if (workload === 'W2-pipelined') {
    return withPool(adapter, url, sizes, 'pipelined', (pool) => pooled(pool, sizes))
  }
  if (workload === 'W6') {
    return withPool(adapter, url, sizes, 'default', (pool) =>
      checkouts(pool, adapter.missing.checkout, sizes),
    )
  }
  const session = await adapter.connect(url)
  try {
    switch (workload) {
      case 'W1':
      case 'OTEL-W1':
      case 'BUN-W1':
        return await sequential(session, sizes, serverPid)
      case 'W2p':
      case 'BUN-W2p':
        return await pipelined(session, sizes, serverPid)
      case 'W3':
      case 'BUN-W3':
        return await wideRead(session, sizes, serverPid)
      case 'W4-insert':
        return await multiRowInsert(session, sizes, false)
      case 'W4-insert-named':
        return await multiRowInsert(session, sizes, true)
      case 'W4-copy':
        return await copyIn(session, sizes, workDir)
      case 'W5-cursor':
        return await cursorRead(session, sizes, serverPid)
      case 'W5-plain':
        return await plainRead(session, sizes)
    }
    throw new Error(`unknown workload ${workload}`)
  } finally {
    await session.close()
  }
}
