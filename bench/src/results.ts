/**
 * Turns the raw samples into the results document: medians with min–max per driver and metric,
 * and ratios computed run by run (run r of A against run r of B), then summarised the same way.
 */
import type { MachineInfo } from './machine.js'
import type { WorkloadOutcome } from './runner.js'
import { type Summary, summarize } from './stats.js'
import {
  type DriverName,
  type ProbeAnswer,
  RATIO_PAIRS,
  type Sample,
  type Sizes,
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
  /** Every driver against pg, run by run (the chart). */
  versusPg: Partial<Record<DriverName, Summary>>
}

/** One workload's results. */
export interface WorkloadResult {
  id: WorkloadId
  title: string
  short: string
  metrics: MetricResult[]
  samples: Partial<Record<DriverName, Sample[]>>
}

/** The whole results document, as written to latest.json. */
export interface Results {
  date: string
  command: string
  mode: 'full' | 'quick'
  machine: MachineInfo
  server: string
  connection: string
  runs: number
  warmUps: number
  sizes: Sizes
  drivers: { name: DriverName; version: string; unavailable?: string }[]
  workloads: WorkloadResult[]
  notes: string[]
  durationSeconds: number
}

/** The facts about the run that are not measurements. */
export interface RunFacts {
  date: Date
  command: string
  quick: boolean
  machine: MachineInfo
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

/** Builds the results document. */
export function buildResults(
  outcomes: readonly WorkloadOutcome[],
  probes: Partial<Record<DriverName, ProbeAnswer>>,
  facts: RunFacts,
): Results {
  const workloads = outcomes.map((outcome): WorkloadResult => {
    const spec = workloadSpec(outcome.id)
    const samples: WorkloadResult['samples'] = {}
    for (const [driver, o] of Object.entries(outcome.drivers)) {
      if (o.status === 'ok') samples[driver as DriverName] = o.samples
    }
    const metrics = spec.metrics.map((m): MetricResult => {
      const cells: MetricResult['cells'] = {}
      for (const driver of facts.drivers) {
        const o = outcome.drivers[driver]
        if (!o) continue
        if (o.status === 'na') cells[driver] = { na: o.reason ?? 'n/a' }
        else if (o.status === 'error') cells[driver] = { error: o.reason ?? 'error' }
        else {
          const summary = summarize(o.samples.map((s) => s[m.key] ?? Number.NaN))
          if (summary) cells[driver] = { summary }
        }
      }
      const ratios: MetricResult['ratios'] = {}
      for (const [a, b] of RATIO_PAIRS) {
        ratios[`${a}/${b}`] = summarize(pairwise(samples[a] ?? [], samples[b] ?? [], m.key))
      }
      const versusPg: MetricResult['versusPg'] = {}
      for (const driver of facts.drivers) {
        const s = summarize(pairwise(samples[driver] ?? [], samples.pg ?? [], m.key))
        if (s && driver !== 'pg') versusPg[driver] = s
      }
      return { ...m, cells, ratios, versusPg }
    })
    return { id: outcome.id, title: spec.title, short: spec.short, metrics, samples }
  })
  const notes = facts.drivers.flatMap((d) => probes[d]?.notes ?? [])
  return {
    date: facts.date.toISOString(),
    command: facts.command,
    mode: facts.quick ? 'quick' : 'full',
    machine: facts.machine,
    server: facts.server,
    connection: 'TCP to 127.0.0.1 for every driver, pgbench and psql; sslmode=disable (TLS off)',
    runs: facts.runs,
    warmUps: 1,
    sizes: facts.sizes,
    drivers: facts.drivers.map((name) => {
      const probe = probes[name]
      return {
        name,
        version: probe?.version ?? '-',
        ...(probe?.unavailable ? { unavailable: probe.unavailable } : {}),
      }
    }),
    workloads,
    notes,
    durationSeconds: facts.durationSeconds,
  }
}
