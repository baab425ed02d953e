/**
 * The workload catalogue shared by the parent and the child: ids, what each measures, the metrics
 * it reports and the sizes of a full and a quick run.
 */

/** Every workload; `--only W4` selects both W4 workloads, `--only W4-copy` one of them. */
export const WORKLOAD_IDS = [
  'W1',
  'W2',
  'W2p',
  'W3',
  'W4-insert',
  'W4-copy',
  'W5-cursor',
  'W5-plain',
  'W6',
] as const

/** A workload id. */
export type WorkloadId = (typeof WORKLOAD_IDS)[number]

/** Every driver, in the order runs interleave. */
export const DRIVER_NAMES = ['tusk', 'pg', 'postgres', 'pg-native', 'libpq'] as const

/** A driver name as `--drivers` takes it. */
export type DriverName = (typeof DRIVER_NAMES)[number]

/** The ratios the results table reports, numerator first (each computed run by run). */
export const RATIO_PAIRS: readonly (readonly [DriverName, DriverName])[] = [
  ['tusk', 'pg'],
  ['tusk', 'postgres'],
  ['tusk', 'libpq'],
]

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
  title: string
  /** A few words for the chart. */
  short: string
  /** The first metric is the workload's headline figure. */
  metrics: readonly MetricSpec[]
}

const qps: MetricSpec = { key: 'qps', label: 'queries/s', better: 'higher', chart: true }
const rowsPerSec: MetricSpec = { key: 'rowsPerSec', label: 'rows/s', better: 'higher', chart: true }
const peakRss: MetricSpec = {
  key: 'peakRssMiB',
  label: 'peak RSS MiB',
  better: 'lower',
  chart: true,
}

/** The catalogue, in run order. */
export const WORKLOADS: readonly WorkloadSpec[] = [
  {
    id: 'W1',
    title: 'W1 sequential SELECT 1, one connection',
    short: 'W1 sequential',
    metrics: [
      qps,
      { key: 'p50Us', label: 'p50 µs', better: 'lower', chart: false },
      { key: 'p99Us', label: 'p99 µs', better: 'lower', chart: false },
    ],
  },
  {
    id: 'W2',
    title: 'W2 SELECT $1::int, pool of 8, 64 in flight',
    short: 'W2 pool',
    metrics: [qps],
  },
  {
    id: 'W2p',
    title: 'W2p SELECT $1::int, one connection, 64 in flight',
    short: 'W2p pipeline',
    metrics: [qps],
  },
  {
    id: 'W3',
    title: 'W3 wide read, 3 × 8-column table',
    short: 'W3 wide read',
    metrics: [rowsPerSec, { key: 'cpuMs', label: 'client CPU ms', better: 'lower', chart: false }],
  },
  {
    id: 'W4-insert',
    title: 'W4 multi-row INSERT, 1 000 rows/statement',
    short: 'W4 INSERT',
    metrics: [rowsPerSec],
  },
  { id: 'W4-copy', title: 'W4 COPY FROM STDIN', short: 'W4 COPY', metrics: [rowsPerSec] },
  {
    id: 'W5-cursor',
    title: 'W5 cursor/stream, batches of 1 000',
    short: 'W5 cursor',
    metrics: [rowsPerSec, peakRss],
  },
  {
    id: 'W5-plain',
    title: 'W5 the same rows as one plain query',
    short: 'W5 plain query',
    metrics: [peakRss, { ...rowsPerSec, chart: false }],
  },
  {
    id: 'W6',
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
