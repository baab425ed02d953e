/**
 * The ORM suite's workloads, run in the child like the Node drivers' ones: inputs built first,
 * only the ORM calls timed, every value of every row read.
 */
import { performance } from 'node:perf_hooks'
import { rowValues } from '../fixtures.js'
import { expectRows, expectValues, saturate, seconds, touch } from '../measure.js'
import { percentile } from '../stats.js'
import type { Sample, Sizes, WorkloadId } from '../workloads.js'
import type { OrmAdapter, OrmRow, OrmTarget } from './orm-driver.js'

/** Untimed lookups first, so pools are full and statement caches warm. */
const WARM_LOOKUPS = 64

/** The id the `i`th lookup asks for: spread over the table rather than walking it in order. */
function idOf(i: number, rows: number): number {
  return ((i * 7919) % rows) + 1
}

async function lookup(orm: OrmTarget, id: number): Promise<void> {
  const row = await orm.selectById(id)
  if (row?.id !== id) throw new Error(`select by id ${id} returned ${String(row?.id)}`)
  expectValues(touch(row), 1)
}

async function lookupLoop(orm: OrmTarget, sizes: Sizes): Promise<Sample> {
  for (let i = 0; i < WARM_LOOKUPS; i++) await lookup(orm, idOf(i, sizes.ormRows))
  const n = sizes.ormLookups
  const latencies = new Float64Array(n)
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await lookup(orm, idOf(i, sizes.ormRows))
    latencies[i] = performance.now() - t
  }
  const elapsed = seconds(start)
  latencies.sort()
  return {
    qps: n / elapsed,
    p50Us: percentile(latencies, 0.5) * 1000,
    p99Us: percentile(latencies, 0.99) * 1000,
  }
}

async function concurrentLookups(orm: OrmTarget, sizes: Sizes): Promise<Sample> {
  const call = (i: number): Promise<void> => lookup(orm, idOf(i, sizes.ormRows))
  await saturate(call, WARM_LOOKUPS * sizes.poolSize, sizes.inFlight)
  const n = sizes.concurrentQueries
  return { qps: n / (await saturate(call, n, sizes.inFlight)) }
}

async function fullRead(orm: OrmTarget, sizes: Sizes): Promise<Sample> {
  let values = 0
  let rows = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < sizes.wideReads; i++) {
    const result = await orm.selectAll()
    for (const row of result) values += touch(row)
    rows += result.length
  }
  const elapsed = seconds(start)
  const used = process.cpuUsage(cpu)
  expectRows(rows, sizes.ormRows * sizes.wideReads)
  expectValues(values, rows)
  return { rowsPerSec: rows / elapsed, cpuMs: (used.user + used.system) / 1000 }
}

function ormRow(i: number): OrmRow {
  const [id, big, label, flag, ratio, amount, created, doc] = rowValues(i)
  return {
    id: id as number,
    big: big as string,
    label: label as string,
    flag: flag as boolean,
    ratio: ratio as number,
    amount: amount as string,
    created: created as Date,
    doc: doc as string,
  }
}

async function insertBatches(orm: OrmTarget, sizes: Sizes): Promise<Sample> {
  await orm.truncateInserted()
  const per = sizes.rowsPerStatement
  const batches: OrmRow[][] = []
  for (let first = 1; first <= sizes.ormInsertRows; first += per) {
    batches.push(Array.from({ length: per }, (_, k) => ormRow(first + k)))
  }
  const start = performance.now()
  for (const batch of batches) await orm.insertRows(batch)
  const elapsed = seconds(start)
  expectRows(await orm.countInserted(), sizes.ormInsertRows)
  return { rowsPerSec: sizes.ormInsertRows / elapsed }
}

/** Runs one ORM workload with `adapter` over a pool of `sizes.poolSize` connections. */
export async function runOrm(
  workload: WorkloadId,
  adapter: OrmAdapter,
  url: string,
  sizes: Sizes,
): Promise<Sample> {
  const orm = await adapter.open(url, sizes.poolSize)
  try {
    switch (workload) {
      case 'ORM-loop':
        return await lookupLoop(orm, sizes)
      case 'ORM-concurrent':
        return await concurrentLookups(orm, sizes)
      case 'ORM-read':
        return await fullRead(orm, sizes)
      case 'ORM-insert':
        return await insertBatches(orm, sizes)
    }
    throw new Error(`${workload} is not an ORM workload`)
  } finally {
    await orm.close()
  }
}
