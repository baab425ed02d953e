/**
 * The libpq floor: PostgreSQL's own C clients doing the same work. pgbench runs the query
 * workloads from custom scripts (`-n`, `-M prepared`, TCP like every other driver); psql runs the
 * reads and COPY, its output formatted and thrown away, measured from outside.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { measureCommand, run } from '../external-command.js'
import {
  COLUMNS,
  COPY_FILE,
  COPY_SQL,
  INSERT_TABLE,
  STREAM_TABLE,
  WIDE_TABLE,
} from '../fixtures.js'
import { percentile } from '../stats.js'
import type { LibpqTools, ProbeAnswer, Sample, Sizes, WorkloadId } from '../workloads.js'
import { NotAvailable } from './driver.js'

/** What a libpq workload gets. */
interface Context {
  url: string
  sizes: Sizes
  workDir: string
  pgbench: string
  psql: string
}

const NO_INSERT =
  'n/a (pgbench scripts cannot bind 8 000 parameters per statement; there is no libpq CLI equivalent)'
const NO_NAMED = 'n/a (no libpq CLI runs this INSERT; see W4 INSERT)'
const NO_PIPELINED_POOL =
  'n/a (pgbench’s clients share no pool; its pipeline mode on one connection is W2p)'
const NO_POOL =
  'n/a (libpq has no connection pool to check out of; pgbench and psql hold one connection per client)'

function tps(output: string): number {
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)
  if (!m) throw new Error(`pgbench printed no tps line:\n${output}`)
  return Number(m[1])
}

function script(ctx: Context, name: string, text: string): string {
  const file = path.join(ctx.workDir, `${name}.sql`)
  writeFileSync(file, text)
  return file
}

/** pgbench with a custom script: `transactions` per client, prepared statements. */
function pgbench(
  ctx: Context,
  file: string,
  clients: number,
  transactions: number,
  extra: readonly string[] = [],
): Promise<string> {
  const threads = Math.min(clients, 2)
  return run(ctx.pgbench, [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(clients),
    '-j',
    String(threads),
    '-t',
    String(transactions),
    '-f',
    file,
    ...extra,
    ctx.url,
  ])
}

/**
 * Queries/s from pgbench; p50/p99 from psql's `\timing`, which times each round trip itself
 * (pgbench's per-transaction log reuses a cached clock when a reply is already waiting, and then
 * logs 0 µs).
 */
async function sequential(ctx: Context): Promise<Sample> {
  const n = ctx.sizes.sequentialQueries
  const output = await pgbench(ctx, script(ctx, 'select-one', 'SELECT 1;\n'), 1, n)
  const timed = script(ctx, 'select-one-timed', `\\timing on\n${'SELECT 1;\n'.repeat(n)}`)
  const [file, ...args] = psql(ctx, '-f', timed)
  const latencies: number[] = []
  for (const line of (await run(file!, args)).split('\n')) {
    const m = /^Time: ([\d.]+) ms/.exec(line)
    if (m) latencies.push(Number(m[1]) * 1000)
  }
  if (latencies.length !== n) throw new Error(`psql timed ${latencies.length} of ${n} queries`)
  latencies.sort((a, b) => a - b)
  return { qps: tps(output), p50Us: percentile(latencies, 0.5), p99Us: percentile(latencies, 0.99) }
}

async function pooled(ctx: Context): Promise<Sample> {
  const { concurrentQueries, poolSize } = ctx.sizes
  const file = script(ctx, 'select-int', '\\set v random(1, 1000000)\nSELECT :v::int;\n')
  return { qps: tps(await pgbench(ctx, file, poolSize, Math.ceil(concurrentQueries / poolSize))) }
}

async function pipelined(ctx: Context): Promise<Sample> {
  const { concurrentQueries, inFlight } = ctx.sizes
  const body = 'SELECT :v::int;\n'.repeat(inFlight)
  const file = script(
    ctx,
    'select-int-pipeline',
    `\\set v random(1, 1000000)\n\\startpipeline\n${body}\\endpipeline\n`,
  )
  const batches = Math.ceil(concurrentQueries / inFlight)
  return { qps: tps(await pgbench(ctx, file, 1, batches)) * inFlight }
}

function psql(ctx: Context, ...args: string[]): string[] {
  return [ctx.psql, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', ctx.url, ...args]
}

async function wideRead(ctx: Context): Promise<Sample> {
  const { wideRows, wideReads } = ctx.sizes
  const select = ['-c', `SELECT ${COLUMNS.join(', ')} FROM ${WIDE_TABLE}`]
  const m = await measureCommand(
    psql(ctx, ...Array.from({ length: wideReads }, () => select).flat()),
  )
  return { rowsPerSec: (wideRows * wideReads) / m.seconds, cpuMs: m.cpuMs }
}

async function copyIn(ctx: Context): Promise<Sample> {
  const [file, ...args] = psql(ctx, '-c', `TRUNCATE ${INSERT_TABLE}`)
  await run(file!, args)
  const m = await measureCommand(psql(ctx, '-c', COPY_SQL), path.join(ctx.workDir, COPY_FILE))
  const [countFile, ...countArgs] = psql(ctx, '-c', `SELECT count(*) FROM ${INSERT_TABLE}`)
  const count = Number((await run(countFile!, countArgs)).trim())
  if (count !== ctx.sizes.insertRows) throw new Error(`COPY left ${count} rows`)
  return { rowsPerSec: ctx.sizes.insertRows / m.seconds }
}

async function stream(ctx: Context, cursor: boolean): Promise<Sample> {
  const fetch = cursor ? ['-v', `FETCH_COUNT=${ctx.sizes.cursorBatch}`] : []
  const select = `SELECT ${COLUMNS.join(', ')} FROM ${STREAM_TABLE}`
  const m = await measureCommand(psql(ctx, ...fetch, '-c', select))
  return { rowsPerSec: ctx.sizes.streamRows / m.seconds, peakRssMiB: m.peakRssMiB }
}

/** Runs one workload through pgbench or psql. */
export async function runLibpq(
  workload: WorkloadId,
  tools: LibpqTools,
  url: string,
  sizes: Sizes,
  workDir: string,
): Promise<Sample> {
  if (!tools.pgbench || !tools.psql) throw new NotAvailable('n/a (no pgbench/psql on this machine)')
  const ctx: Context = { url, sizes, workDir, pgbench: tools.pgbench, psql: tools.psql }
  switch (workload) {
    case 'W1':
      return sequential(ctx)
    case 'W2':
      return pooled(ctx)
    case 'W2p':
      return pipelined(ctx)
    case 'W3':
      return wideRead(ctx)
    case 'W2-pipelined':
      throw new NotAvailable(NO_PIPELINED_POOL)
    case 'W4-insert':
      throw new NotAvailable(NO_INSERT)
    case 'W4-insert-named':
      throw new NotAvailable(NO_NAMED)
    case 'W4-copy':
      return copyIn(ctx)
    case 'W5-cursor':
      return stream(ctx, true)
    case 'W5-plain':
      return stream(ctx, false)
    case 'W6':
      throw new NotAvailable(NO_POOL)
  }
  throw new NotAvailable(`n/a (${workload} is not a libpq workload)`)
}

/** Versions of pgbench and psql, or why they cannot run. */
export async function probeLibpq(tools: LibpqTools): Promise<ProbeAnswer> {
  if (!tools.pgbench || !tools.psql) {
    return {
      version: '-',
      unavailable: 'n/a (no pgbench/psql on this machine)',
      missing: {},
      notes: [],
    }
  }
  const version = (await run(tools.pgbench, ['--version'])).trim()
  const psqlVersion = (await run(tools.psql, ['--version'])).trim()
  return {
    version: `${version}, ${psqlVersion}`,
    missing: {
      'W2-pipelined': NO_PIPELINED_POOL,
      'W4-insert': NO_INSERT,
      'W4-insert-named': NO_NAMED,
      W6: NO_POOL,
    },
    notes: [
      'libpq: pgbench `-n -M prepared` over TCP for W1, W2 and W2p; W2 runs 8 clients (`-c 8 -j 2`), one query in flight each. Its W2 p50/p99 are not reported: pgbench’s per-transaction log can log 0 µs when a reply is already waiting (see W1), so its latencies do not compare with latencies timed per call.',
      'libpq: W1 p50/p99 come from psql `\\timing` over as many `SELECT 1` (simple protocol): pgbench’s per-transaction log reads a cached clock when a reply is already waiting and logs 0 µs.',
      'libpq: W2p is pgbench pipeline mode, 64 queries between `\\startpipeline` and `\\endpipeline` (one Sync per 64): not like-for-like.',
      'libpq: W3, W4 COPY and W5 are psql (`-A -t`, output discarded; W5 cursor with `FETCH_COUNT=1000`), timed from outside including its start and connect.',
    ],
  }
}
