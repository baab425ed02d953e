/**
 * The workload catalogue shared by the parent and the child: ids, what each measures, the metrics
 * it reports and the sizes of a full and a quick run.
 */

/**
 * Every workload, in run order; `--only W4` selects every `W4-…` workload, `--only W4-insert` that
 * one and `W4-insert-named`, `--only ORM` the ORM suite.
 */
export const WORKLOAD_IDS = [
  'W1',
  'W2',
  'W2-pipelined',
  'W2p',
  'W3',
  'W4-insert',
  'W4-insert-named',
  'W4-copy',
  'W5-cursor',
  'W5-plain',
  'W6',
  'ORM-loop',
  'ORM-concurrent',
  'ORM-read',
  'ORM-insert',
  'OTEL-W1',
  'OTEL-W2',
  'BUN-W1',
  'BUN-W2p',
  'BUN-W3',
] as const

/** A workload id. */
export type WorkloadId = (typeof WORKLOAD_IDS)[number]

/** The drivers of the driver suite, in the order of the table's columns. */
export const CORE_DRIVERS = ['tusk', 'pg', 'pg-compat', 'postgres', 'pg-native', 'libpq'] as const

/**
 * The drivers of the ORM suite: one ORM over Tusk and over its stock `pg` setup. An ORM is added
 * as one file in src/orm/ and one line in src/orm/registry.ts and here.
 */
export const ORM_DRIVERS = [
  'kysely-tusk',
  'kysely-pg',
  'knex-tusk',
  'knex-pg',
  'typeorm-tusk',
  'typeorm-pg',
  'drizzle-tusk',
  'drizzle-pg',
  'drizzle-postgres',
  'prisma-tusk',
  'prisma-pg',
] as const

/** Tusk with @tusk/otel subscribed and an OpenTelemetry SDK recording (spans and metrics). */
export const OTEL_DRIVERS = ['tusk-otel'] as const

/**
 * Drivers run by Bun rather than Node (the bench's child process under the `bun` binary of the
 * npm package): Tusk, postgres.js, and Bun's own `Bun.SQL`.
 */
export const BUN_DRIVERS = ['tusk-bun', 'postgres-bun', 'bunsql'] as const

/** Every driver as `--drivers` takes it. */
export const DRIVER_NAMES = [
  ...CORE_DRIVERS,
  ...ORM_DRIVERS,
  ...OTEL_DRIVERS,
  ...BUN_DRIVERS,
] as const

/** A driver name as `--drivers` takes it. */
export type DriverName = (typeof DRIVER_NAMES)[number]

/** A driver of the ORM suite. */
export type OrmDriverName = (typeof ORM_DRIVERS)[number]

/** Whether the child for `name` runs under Bun. */
export function isBunDriver(name: DriverName): boolean {
  return (BUN_DRIVERS as readonly string[]).includes(name)
}

/** Whether `name` belongs to the ORM suite. */
export function isOrmDriver(name: DriverName): name is OrmDriverName {
  return (ORM_DRIVERS as readonly string[]).includes(name)
}

/** The two groups of workloads, each with its own drivers, table and ratios. */
export type SuiteId = 'drivers' | 'orm' | 'otel' | 'bun'

/** A suite: which drivers run its workloads and which ratios its table shows. */
export interface SuiteSpec {
  id: SuiteId
  /** Heading of its table. */
  title: string
  drivers: readonly DriverName[]
  /** The ratios the table reports, numerator first (each computed run by run). */
  ratioPairs: readonly (readonly [DriverName, DriverName])[]
  /** What the chart divides by. */
  baseline: DriverName
}

/** The suites, in run order. */
export const SUITES: readonly SuiteSpec[] = [
  {
    id: 'drivers',
    title: 'Drivers',
    drivers: CORE_DRIVERS,
    ratioPairs: [
      ['tusk', 'pg'],
      ['tusk', 'postgres'],
      ['tusk', 'libpq'],
      ['pg-compat', 'pg'],
    ],
    baseline: 'pg',
  },
  {
    id: 'orm',
    title: 'ORM: the same ORM over Tusk and over pg',
    drivers: ORM_DRIVERS,
    ratioPairs: [
      ['kysely-tusk', 'kysely-pg'],
      ['knex-tusk', 'knex-pg'],
      ['typeorm-tusk', 'typeorm-pg'],
      ['drizzle-tusk', 'drizzle-pg'],
      ['drizzle-tusk', 'drizzle-postgres'],
      ['prisma-tusk', 'prisma-pg'],
    ],
    baseline: 'kysely-pg',
  },
  {
    id: 'otel',
    title: 'Observability: the cost of @tusk/otel (spans and metrics recorded) on W1 and W2',
    drivers: ['tusk', 'tusk-otel'],
    ratioPairs: [['tusk-otel', 'tusk']],
    baseline: 'tusk',
  },
  {
    id: 'bun',
    title:
      'Bun: Tusk on Bun against Bun.SQL and postgres.js on Bun (W1, W2p, W3), with Tusk and postgres.js on Node beside them',
    drivers: ['tusk-bun', 'bunsql', 'postgres-bun', 'tusk', 'postgres'],
    ratioPairs: [
      ['tusk-bun', 'bunsql'],
      ['tusk-bun', 'postgres-bun'],
      ['tusk-bun', 'tusk'],
    ],
    baseline: 'bunsql',
  },
]

/** The spec of suite `id`. */
export function suiteSpec(id: SuiteId): SuiteSpec {
  const spec = SUITES.find((s) => s.id === id)
  if (!spec) throw new Error(`unknown suite ${id}`)
  return spec
}

/** One measured quantity of a workload. */
export interface MetricSpec {
  key: string
  /** Column label, unit included. */
  label: string
  better: 'higher' | 'lower'
  /** Shown in the chart (as a ratio against pg, inverted when lower is better). */
  chart: boolean
}

/** A workload as the results describe it. */
export interface WorkloadSpec {
  id: WorkloadId
  suite: SuiteId
  title: string
  /** A few words for the chart. */
  short: string
  /** The first metric is the workload's headline figure. */
  metrics: readonly MetricSpec[]
}

const qps: MetricSpec = { key: 'qps', label: 'queries/s', better: 'higher', chart: true }
const rowsPerSec: MetricSpec = { key: 'rowsPerSec', label: 'rows/s', better: 'higher', chart: true }
const p50: MetricSpec = { key: 'p50Us', label: 'p50 µs', better: 'lower', chart: false }
const p99: MetricSpec = { key: 'p99Us', label: 'p99 µs', better: 'lower', chart: false }
const peakRss: MetricSpec = {
  key: 'peakRssMiB',
  label: 'peak RSS MiB',
  better: 'lower',
  chart: true,
}
const rssGrowth: MetricSpec = {
  key: 'rssGrowthMiB',
  label: 'peak RSS growth over idle MiB',
  better: 'lower',
  chart: false,
}

/**
 * Server CPU time over wall time while the workload ran (all of the postmaster's processes; the
 * one backend serving it can use at most one core): near 100 % the server, not the client, is the
 * limit. Higher means the client kept the server busier.
 */
const serverBusy: MetricSpec = {
  key: 'serverBusyPct',
  label: 'server busy %',
  better: 'higher',
  chart: false,
}

/** The catalogue, in run order. */
export const WORKLOADS: readonly WorkloadSpec[] = [
  {
    id: 'W1',
    suite: 'drivers',
    title: 'W1 sequential SELECT 1, one connection',
    short: 'W1 sequential',
    metrics: [qps, p50, p99, serverBusy],
  },
  {
    id: 'W2',
    suite: 'drivers',
    title: 'W2 SELECT $1::int, pool of 8, 64 in flight, one statement per connection at a time',
    short: 'W2 pool',
    metrics: [qps, p50, p99],
  },
  {
    id: 'W2-pipelined',
    suite: 'drivers',
    title: 'W2 pipelined: the same, statements pipelined onto busy connections',
    short: 'W2 pipelined pool',
    metrics: [qps, p50, p99],
  },
  {
    id: 'W2p',
    suite: 'drivers',
    title: 'W2p SELECT $1::int, one connection, 64 in flight',
    short: 'W2p pipeline',
    metrics: [qps, serverBusy],
  },
  {
    id: 'W3',
    suite: 'drivers',
    title: 'W3 wide read, 3 × 8-column table',
    short: 'W3 wide read',
    metrics: [
      rowsPerSec,
      { key: 'cpuMs', label: 'client CPU ms', better: 'lower', chart: false },
      serverBusy,
    ],
  },
  {
    id: 'W4-insert',
    suite: 'drivers',
    title: 'W4 multi-row INSERT, 1 000 rows/statement',
    short: 'W4 INSERT',
    metrics: [rowsPerSec],
  },
  {
    id: 'W4-insert-named',
    suite: 'drivers',
    title: 'W4 the same INSERT, pg with a named prepared statement',
    short: 'W4 INSERT, pg named',
    metrics: [rowsPerSec],
  },
  {
    id: 'W4-copy',
    suite: 'drivers',
    title: 'W4 COPY FROM STDIN',
    short: 'W4 COPY',
    metrics: [rowsPerSec],
  },
  {
    id: 'W5-cursor',
    suite: 'drivers',
    title: 'W5 cursor/stream, batches of 1 000',
    short: 'W5 cursor',
    metrics: [rowsPerSec, peakRss, rssGrowth, serverBusy],
  },
  {
    id: 'W5-plain',
    suite: 'drivers',
    title: 'W5 the same rows as one plain query',
    short: 'W5 plain query',
    metrics: [peakRss, { ...rowsPerSec, chart: false }],
  },
  {
    id: 'W6',
    suite: 'drivers',
    title: 'W6 pool checkout: acquire + release, no query, pool of 8',
    short: 'W6 pool checkout',
    metrics: [
      { key: 'checkoutsPerSec', label: 'checkouts/s', better: 'higher', chart: true },
      {
        key: 'oneCallerCheckoutsPerSec',
        label: 'checkouts/s, 1 caller',
        better: 'higher',
        chart: false,
      },
      { key: 'oneCallerP50Us', label: 'p50 µs, 1 caller', better: 'lower', chart: false },
    ],
  },
  {
    id: 'ORM-loop',
    suite: 'orm',
    title: 'select by id, one caller, pool of 8',
    short: 'select by id',
    metrics: [qps, p50, p99],
  },
  {
    id: 'ORM-concurrent',
    suite: 'orm',
    title: 'select by id, 64 callers, pool of 8',
    short: 'select by id, 64 callers',
    metrics: [qps],
  },
  {
    id: 'ORM-read',
    suite: 'orm',
    title: 'read every row of an 8-column table',
    short: 'full read',
    metrics: [rowsPerSec, { key: 'cpuMs', label: 'client CPU ms', better: 'lower', chart: false }],
  },
  {
    id: 'ORM-insert',
    suite: 'orm',
    title: 'insert batches of 1 000 rows',
    short: 'insert batch',
    metrics: [rowsPerSec],
  },
  {
    id: 'OTEL-W1',
    suite: 'otel',
    title: 'W1 sequential SELECT 1, one connection',
    short: 'W1 with spans',
    metrics: [qps, p50, p99],
  },
  {
    id: 'OTEL-W2',
    suite: 'otel',
    title: 'W2 SELECT $1::int, pool of 8, 64 in flight, one statement per connection at a time',
    short: 'W2 with spans',
    metrics: [qps, p50, p99],
  },
  {
    id: 'BUN-W1',
    suite: 'bun',
    title: 'W1 sequential SELECT 1, one connection',
    short: 'W1 on Bun',
    metrics: [qps, p50, p99],
  },
  {
    id: 'BUN-W2p',
    suite: 'bun',
    title: 'W2p SELECT $1::int, one connection, 64 in flight',
    short: 'W2p on Bun',
    metrics: [qps],
  },
  {
    id: 'BUN-W3',
    suite: 'bun',
    title: 'W3 wide read, 3 × 8-column table',
    short: 'W3 on Bun',
    metrics: [rowsPerSec, { key: 'cpuMs', label: 'client CPU ms', better: 'lower', chart: false }],
  },
]

/**
 * A figure left out of the README's headline table: it measures a pathology of the peer more than
 * the work itself. The full report keeps it, with `reason` as its note.
 */
export interface HeadlineExclusion {
  workload: WorkloadId
  metric: string
  driver: DriverName
  reason: string
}

/** The figures the headline leaves out (see HeadlineExclusion). */
export const HEADLINE_EXCLUSIONS: readonly HeadlineExclusion[] = [
  {
    workload: 'W6',
    metric: 'oneCallerCheckoutsPerSec',
    driver: 'postgres',
    reason:
      'postgres.js’s `sql.reserve()` gets slower over a long single-caller pass while the other connections sit idle, so a ratio against it measures that pattern, not checkouts; it stays in bench/results/latest.md with its note.',
  },
  {
    workload: 'W6',
    metric: 'oneCallerP50Us',
    driver: 'postgres',
    reason:
      'postgres.js’s `sql.reserve()` gets slower over a long single-caller pass while the other connections sit idle, so a ratio against it measures that pattern, not checkouts; it stays in bench/results/latest.md with its note.',
  },
]

/** The spec of `id`. */
export function workloadSpec(id: WorkloadId): WorkloadSpec {
  const spec = WORKLOADS.find((w) => w.id === id)
  if (!spec) throw new Error(`unknown workload ${id}`)
  return spec
}

/** How much work each workload does. */
export interface Sizes {
  /** W1: sequential queries. */
  sequentialQueries: number
  /** W2, W2p: queries in all. */
  concurrentQueries: number
  /** W2, W2p: queries in flight at once; W6: callers checking out at once. */
  inFlight: number
  /** W2, W6: connections in the pool. */
  poolSize: number
  /** W3: rows of the wide table, read `wideReads` times. */
  wideRows: number
  wideReads: number
  /** W4: rows inserted, `rowsPerStatement` per INSERT. */
  insertRows: number
  rowsPerStatement: number
  /** W5: rows streamed, fetched `cursorBatch` at a time. */
  streamRows: number
  cursorBatch: number
  /** W6: checkouts (acquire + release) in each timed pass. */
  checkouts: number
  /** ORM: rows of the ORM table (read `wideReads` times by ORM-read). */
  ormRows: number
  /** ORM-loop: sequential lookups by id. */
  ormLookups: number
  /** ORM-insert: rows inserted, `rowsPerStatement` per statement. */
  ormInsertRows: number
}

/** The sizes the issue sets. */
export const FULL_SIZES: Sizes = {
  sequentialQueries: 20_000,
  concurrentQueries: 100_000,
  inFlight: 64,
  poolSize: 8,
  wideRows: 100_000,
  wideReads: 3,
  insertRows: 100_000,
  rowsPerStatement: 1_000,
  streamRows: 2_000_000,
  cursorBatch: 1_000,
  checkouts: 200_000,
  ormRows: 100_000,
  ormLookups: 20_000,
  ormInsertRows: 100_000,
}

/** A tenth of the work, for a smoke run (`--quick`). */
export const QUICK_SIZES: Sizes = {
  ...FULL_SIZES,
  sequentialQueries: 2_000,
  concurrentQueries: 10_000,
  wideRows: 10_000,
  insertRows: 10_000,
  streamRows: 200_000,
  checkouts: 20_000,
  ormRows: 10_000,
  ormLookups: 2_000,
  ormInsertRows: 10_000,
}

/** One child's measurements: metric key → value. */
export type Sample = Record<string, number>

/** Where the libpq tools live, when the machine has them. */
export interface LibpqTools {
  pgbench: string | undefined
  psql: string | undefined
}

/** What the parent asks a child to do. */
export type ChildTask =
  | { kind: 'probe'; driver: DriverName; tools: LibpqTools }
  | {
      kind: 'run'
      driver: DriverName
      workload: WorkloadId
      url: string
      sizes: Sizes
      /** Holds the COPY data file and libpq's scripts and logs. */
      workDir: string
      tools: LibpqTools
      /** The postmaster's pid, when local: W1, W2p, W3 and W5 cursor report how busy it was. */
      serverPid?: number
      /**
       * `--heap-prof`: record every allocation of the run (sampled, garbage collected or not)
       * and write the `.heapprofile` into this folder.
       */
      heapProfileDir?: string
    }

/** What a probe child answers. */
export interface ProbeAnswer {
  version: string
  /** Set when the driver cannot run here at all (e.g. pg-native did not build). */
  unavailable?: string
  /** Workloads this driver cannot run, with the reason. */
  missing: Partial<Record<WorkloadId, string>>
  notes: string[]
}

/** What a run child answers. */
export type RunAnswer =
  | { status: 'ok'; sample: Sample }
  | { status: 'na'; reason: string }
  | { status: 'error'; message: string }

/** The line prefix a child writes its answer after, as JSON. */
export const ANSWER_PREFIX = '@@bench-answer '
