/**
 * The child process: runs one workload with one driver (or probes a driver) and writes its answer
 * as one JSON line after ANSWER_PREFIX. Drivers are imported on demand, so one that fails to load
 * (pg-native without libpq, an unbuilt @tusk/core) costs only its own rows.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import path from 'node:path'
import { type Capability, type DriverAdapter, NotAvailable } from './drivers/driver.js'
import { probeLibpq, runLibpq } from './drivers/libpq.js'
import { runInProcess } from './in-process.js'
import { runOrm } from './orm/orm-workloads.js'
import { ORM_LOADERS } from './orm/registry.js'
import {
  ANSWER_PREFIX,
  type ChildTask,
  type DriverName,
  isOrmDriver,
  type OrmDriverName,
  type ProbeAnswer,
  type RunAnswer,
  type WorkloadId,
} from './workloads.js'

type InProcessDriver = Exclude<DriverName, 'libpq' | OrmDriverName>

const LOADERS: Record<InProcessDriver, () => Promise<DriverAdapter>> = {
  tusk: async () => (await import('./drivers/tusk.js')).load(),
  'tusk-otel': async () => (await import('./drivers/tusk-otel.js')).load(),
  pg: async () => (await import('./drivers/pg.js')).load(),
  'pg-compat': async () => (await import('./drivers/pg-compat.js')).load(),
  postgres: async () => (await import('./drivers/postgres.js')).load(),
  'pg-native': async () => (await import('./drivers/pg-native.js')).load(),
  // The same adapters as tusk and postgres: the runner starts these children under Bun.
  'tusk-bun': async () => onBun(await (await import('./drivers/tusk.js')).load()),
  'postgres-bun': async () => onBun(await (await import('./drivers/postgres.js')).load()),
  bunsql: async () => (await import('./drivers/bunsql.js')).load(),
}

/** The workloads each capability is needed by. */
const NEEDS: Record<Capability, readonly WorkloadId[]> = {
  pool: ['W2', 'W2-pipelined', 'W6'],
  pipelinedPool: ['W2-pipelined'],
  checkout: ['W6'],
  copyIn: ['W4-copy'],
  cursor: ['W5-cursor'],
}

/**
 * `adapter` as loaded in a Bun child: its version says so (its notes are the Node driver's, already
 * in the report), and it refuses to run under Node.
 */
function onBun(adapter: DriverAdapter): DriverAdapter {
  const bun = process.versions.bun
  if (!bun) throw new Error('a Bun driver must run under Bun')
  return { ...adapter, version: `${adapter.version} on Bun ${bun}`, notes: [] }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

async function probe(task: Extract<ChildTask, { kind: 'probe' }>): Promise<ProbeAnswer> {
  if (task.driver === 'libpq') return probeLibpq(task.tools)
  const driver = task.driver
  let adapter: DriverAdapter
  try {
    if (isOrmDriver(driver)) {
      const orm = await ORM_LOADERS[driver]()
      return { version: orm.version, missing: {}, notes: orm.notes }
    }
    adapter = await LOADERS[driver]()
  } catch (err) {
    return {
      version: '-',
      unavailable: `n/a (${message(err).split('\n')[0]})`,
      missing: {},
      notes: [],
    }
  }
  const missing: ProbeAnswer['missing'] = {}
  for (const [cap, reason] of Object.entries(adapter.missing) as [Capability, string][]) {
    for (const workload of NEEDS[cap]) missing[workload] ??= reason
  }
  return { version: adapter.version, missing, notes: adapter.notes }
}

async function runTask(task: Extract<ChildTask, { kind: 'run' }>): Promise<RunAnswer> {
  const driver = task.driver
  try {
    const sample =
      driver === 'libpq'
        ? await runLibpq(task.workload, task.tools, task.url, task.sizes, task.workDir)
        : isOrmDriver(driver)
          ? await runOrm(task.workload, await ORM_LOADERS[driver](), task.url, task.sizes)
          : await runInProcess(
              task.workload,
              await LOADERS[driver](),
              task.url,
              task.sizes,
              task.workDir,
              task.serverPid,
            )
    return { status: 'ok', sample }
  } catch (err) {
    if (err instanceof NotAvailable) return { status: 'na', reason: err.message }
    return {
      status: 'error',
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    }
  }
}

/** Bytes allocated between two samples of the allocation profiler. */
const HEAP_SAMPLING_INTERVAL = 64 * 1024

/**
 * Runs `task` under V8's sampling heap profiler and writes the profile into `dir`. Unlike
 * `node --heap-prof`, whose profile keeps only the sampled objects still alive when it stops,
 * this one keeps those the garbage collector took too: what the run allocated, not what it kept.
 */
async function withAllocationProfile<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const session = new Session()
  session.connect()
  await session.post('HeapProfiler.enable')
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: HEAP_SAMPLING_INTERVAL,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  try {
    return await body()
  } finally {
    const { profile } = await session.post('HeapProfiler.stopSampling')
    writeFileSync(path.join(dir, `Heap.${process.pid}.heapprofile`), JSON.stringify(profile))
    session.disconnect()
  }
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask
  const answer =
    task.kind === 'probe'
      ? await probe(task)
      : task.heapProfileDir === undefined
        ? await runTask(task)
        : await withAllocationProfile(task.heapProfileDir, () => runTask(task))
  process.stdout.write(`${ANSWER_PREFIX}${JSON.stringify(answer)}\n`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
