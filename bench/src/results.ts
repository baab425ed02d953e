/**
 * Turns the raw samples into the results document: medians with min–max per driver and metric,
 * and ratios computed run by run (run r of A against run r of B), then summarised the same way;
 * one section per suite (the drivers, the ORMs).
 */
import type { MachineInfo } from './machine.js'
import type { Revision } from './revision.js'
import type { WorkloadOutcome } from './runner.js'
import { type Summary, summarize } from './stats.js'
import {
  type DriverName,
  type ProbeAnswer,
  type Sample,
  type Sizes,
  SUITES,
  type SuiteId,
  type WorkloadId,
  workloadSpec,
} from './workloads.js'

/** One driver's figure for one metric: a summary, or why there is none. */
export type Cell = { summary: Summary } | { na: string } | { error: string }

/** One metric of one workload across drivers. */
export interface MetricResult {
  key: string
  label: string
  better: 'higher' | 'lower'
  chart: boolean
  cells: Partial<Record<DriverName, Cell>>
  /** `tusk/pg` etc.: the run-by-run ratio of the two drivers' figures. */
  ratios: Record<string, Summary | undefined>
  /** Every driver against the suite's baseline, run by run (the chart). */
  versusBaseline: Partial<Record<DriverName, Summary>>
}

/** One workload's results. */
export interface WorkloadResult {
  id: WorkloadId
  title: string
  short: string
  metrics: MetricResult[]
  samples: Partial<Record<DriverName, Sample[]>>
  /** The order the drivers ran in, round by round, the warm-up round first. */
  rounds: DriverName[][]
}

/** A driver as the results header lists it. */
export interface DriverInfo {
  name: DriverName
  version: string
  unavailable?: string
}

/** One suite's section: its drivers, ratios, workloads and notes. */
export interface SuiteResult {
  id: SuiteId
  title: string
  drivers: DriverInfo[]
  /** `a/b` for each ratio column. */
  ratioPairs: string[]
  baseline: DriverName
  workloads: WorkloadResult[]
  notes: string[]
}

/** The whole results document, as written to latest.json. */
export interface Results {
  date: string
  command: string
  mode: 'full' | 'quick'
  /** The commit measured, and whether the tree differed from it. */
  revision: Revision
  machine: MachineInfo
  /** `SHOW server_version`. */
  postgres: string
  server: string
  connection: string
  runs: number
  warmUps: number
  /** How the drivers' order changes from round to round. */
  order: string
  sizes: Sizes
  suites: SuiteResult[]
  durationSeconds: number
}

/** The facts about the run that are not measurements. */
export interface RunFacts {
  date: Date
  command: string
  quick: boolean
  revision: Revision
  machine: MachineInfo
  postgres: string
  server: string
  runs: number
  sizes: Sizes
  drivers: readonly DriverName[]
  durationSeconds: number
}

/** Per-run ratios `a[r] / b[r]` of metric `key`. */
function pairwise(a: readonly Sample[], b: readonly Sample[], key: string): number[] {
  const ratios: number[] = []
  for (let r = 0; r < Math.min(a.length, b.length); r++) {
    const x = a[r]?.[key]
    const y = b[r]?.[key]
    if (x !== undefined && y !== undefined && y > 0) ratios.push(x / y)
  }
  return ratios
}

function cellOf(o: WorkloadOutcome['drivers'][DriverName], key: string): Cell | undefined {
  if (!o) return undefined
  if (o.status === 'na') return { na: o.reason ?? 'n/a' }
  if (o.status === 'error') return { error: o.reason ?? 'error' }
  const values = o.samples.flatMap((s) => (s[key] === undefined ? [] : [s[key]]))
  // A client that cannot measure a metric (pgbench's W2 latency) leaves it out of its samples.
  if (values.length === 0) return { na: 'n/a (not measured; see the notes)' }
  const summary = summarize(values)
  return summary ? { summary } : undefined
}

function workloadResult(
  outcome: WorkloadOutcome,
  drivers: readonly DriverName[],
  pairs: readonly (readonly [DriverName, DriverName])[],
  baseline: DriverName,
): WorkloadResult {
  const spec = workloadSpec(outcome.id)
  const samples: WorkloadResult['samples'] = {}
  for (const [driver, o] of Object.entries(outcome.drivers)) {
    if (o.status === 'ok') samples[driver as DriverName] = o.samples
  }
  const metrics = spec.metrics.map((m): MetricResult => {
    const cells: MetricResult['cells'] = {}
    for (const driver of drivers) {
      const cell = cellOf(outcome.drivers[driver], m.key)
      if (cell) cells[driver] = cell
    }
    const ratios: MetricResult['ratios'] = {}
    for (const [a, b] of pairs) {
      ratios[`${a}/${b}`] = summarize(pairwise(samples[a] ?? [], samples[b] ?? [], m.key))
    }
    const versusBaseline: MetricResult['versusBaseline'] = {}
    for (const driver of drivers) {
      const s = summarize(pairwise(samples[driver] ?? [], samples[baseline] ?? [], m.key))
      if (s && driver !== baseline) versusBaseline[driver] = s
    }
    return { ...m, cells, ratios, versusBaseline }
  })
  return {
    id: outcome.id,
    title: spec.title,
    short: spec.short,
    metrics,
    samples,
    rounds: outcome.rounds,
  }
}

/** Builds the results document; a suite none of whose workloads ran is left out. */
export function buildResults(
  outcomes: readonly WorkloadOutcome[],
  probes: Partial<Record<DriverName, ProbeAnswer>>,
  facts: RunFacts,
): Results {
  const suites: SuiteResult[] = []
  for (const suite of SUITES) {
    const ran = outcomes.filter((o) => workloadSpec(o.id).suite === suite.id)
    const drivers = facts.drivers.filter((d) => suite.drivers.includes(d))
    if (ran.length === 0 || drivers.length === 0) continue
    const pairs = suite.ratioPairs.filter(([a, b]) => drivers.includes(a) && drivers.includes(b))
    suites.push({
      id: suite.id,
      title: suite.title,
      drivers: drivers.map((name) => {
        const probe = probes[name]
        return {
          name,
          version: probe?.version ?? '-',
          ...(probe?.unavailable ? { unavailable: probe.unavailable } : {}),
        }
      }),
      ratioPairs: pairs.map(([a, b]) => `${a}/${b}`),
      baseline: suite.baseline,
      workloads: ran.map((o) => workloadResult(o, drivers, pairs, suite.baseline)),
      notes: drivers.flatMap((d) => probes[d]?.notes ?? []),
    })
  }
  return {
    date: facts.date.toISOString(),
    command: facts.command,
    mode: facts.quick ? 'quick' : 'full',
    revision: facts.revision,
    machine: facts.machine,
    postgres: facts.postgres,
    server: facts.server,
    connection: 'TCP to 127.0.0.1 for every driver, pgbench and psql; sslmode=disable (TLS off)',
    runs: facts.runs,
    warmUps: 1,
    order: 'drivers interleaved, their order rotated by one place every round',
    sizes: facts.sizes,
    suites,
    durationSeconds: facts.durationSeconds,
  }
}

/** The suite `id` of `r`, when the run had it. */
export function suiteOf(r: Results, id: SuiteId): SuiteResult | undefined {
  return r.suites.find((s) => s.id === id)
}
