/**
 * The headline block of the repository's README, rendered from a results document: the driver
 * suite's ratios (like-for-like rows first, figures that measure a peer's pathology left out with
 * a footnote) and the ORM suite's table. `pnpm --filter @tusk/bench readme` writes it between the
 * README's markers; nothing in it is typed by hand.
 */
import { Footnotes, formatNumber, ratio } from './report-markdown.js'
import type { MetricResult, Results, SuiteResult, WorkloadResult } from './results.js'
import { revisionLabel } from './revision.js'
import type { Summary } from './stats.js'
import { type DriverName, HEADLINE_EXCLUSIONS, type WorkloadId } from './workloads.js'

/** One row of the headline: a workload's metric, labelled for readers of the README. */
interface HeadlineRow {
  workload: WorkloadId
  metric: string
  label: string
  /** Said once as a footnote of the row. */
  note?: string
  /** Why a driver has no figure here, when its cell cannot say (a metric it does not measure). */
  gaps?: Partial<Record<DriverName, string>>
}

const PGBENCH_LATENCY: HeadlineRow['gaps'] = {
  libpq:
    'pgbench’s per-transaction log can log 0 µs when a reply is already waiting, so its latencies are not reported',
}

const ONE_PER_CONNECTION =
  'One statement per connection at a time, like for like: Tusk’s pool with `maxPipeline: 1`, `pg`’s Pool, postgres.js with `max_pipeline: 0`, pgbench with 8 clients. Latency is each caller’s, from the call to its result, waiting for a connection included.'
const PIPELINED =
  'Tusk’s pool as it ships: once all 8 connections are busy, statements are pipelined onto busy ones (up to 8 per connection), as postgres.js does (up to 100); a statement queued behind a slow one waits for it, which p99 shows. `pg`’s Pool and pgbench cannot do this: compare with the W2 row.'
const NAMED =
  '`pg` with a named prepared statement (`{ name, text, values }`), so it parses and plans the INSERT once per connection, as Tusk’s statement cache and postgres.js do; the row above is `pg`’s default (unnamed each time).'

/** The driver suite's headline rows, in order. */
const DRIVER_ROWS: readonly HeadlineRow[] = [
  { workload: 'W1', metric: 'qps', label: 'W1 sequential `SELECT 1`, one connection (q/s)' },
  { workload: 'W1', metric: 'p50Us', label: 'W1 latency p50 (µs) ↓' },
  {
    workload: 'W2',
    metric: 'qps',
    label: 'W2 pool of 8, 64 callers, one statement per connection (q/s)',
    note: ONE_PER_CONNECTION,
  },
  { workload: 'W2', metric: 'p50Us', label: 'W2 latency p50 (µs) ↓', gaps: PGBENCH_LATENCY },
  { workload: 'W2', metric: 'p99Us', label: 'W2 latency p99 (µs) ↓', gaps: PGBENCH_LATENCY },
  {
    workload: 'W2-pipelined',
    metric: 'qps',
    label: 'W2 pipelined: the same, pool pipelining (q/s)',
    note: PIPELINED,
  },
  { workload: 'W2-pipelined', metric: 'p50Us', label: 'W2 pipelined latency p50 (µs) ↓' },
  { workload: 'W2-pipelined', metric: 'p99Us', label: 'W2 pipelined latency p99 (µs) ↓' },
  { workload: 'W2p', metric: 'qps', label: 'W2p one connection, 64 in flight (q/s)' },
  { workload: 'W3', metric: 'rowsPerSec', label: 'W3 wide read (rows/s)' },
  { workload: 'W4-insert', metric: 'rowsPerSec', label: 'W4 multi-row INSERT (rows/s)' },
  {
    workload: 'W4-insert-named',
    metric: 'rowsPerSec',
    label: 'W4 multi-row INSERT, `pg` named statement (rows/s)',
    note: NAMED,
  },
  { workload: 'W4-copy', metric: 'rowsPerSec', label: 'W4 COPY in (rows/s)' },
  { workload: 'W5-cursor', metric: 'rowsPerSec', label: 'W5 cursor (rows/s)' },
  { workload: 'W5-cursor', metric: 'peakRssMiB', label: 'W5 cursor peak RSS (MiB) ↓' },
  { workload: 'W6', metric: 'checkoutsPerSec', label: 'W6 pool checkout, 64 callers (/s)' },
  { workload: 'W6', metric: 'oneCallerCheckoutsPerSec', label: 'W6 pool checkout, 1 caller (/s)' },
]

/** Column headings for the ratio pairs the README shows. */
const PAIR_LABELS: Record<string, string> = {
  'tusk/pg': 'Tusk vs `pg`',
  'tusk/postgres': 'Tusk vs postgres.js',
  'tusk/libpq': 'Tusk vs libpq',
  'pg-compat/pg': '`@tusk/pg-compat` vs `pg`',
  'kysely-tusk/kysely-pg': 'Kysely: `@tusk/kysely-dialect` vs `PostgresDialect` + `pg`',
  'knex-tusk/knex-pg': "Knex: `TuskClient` vs `client: 'pg'`",
  'typeorm-tusk/typeorm-pg': 'TypeORM: `@tusk/typeorm` vs `pg`',
  'drizzle-tusk/drizzle-pg': 'Drizzle: `@tusk/drizzle` vs `drizzle-orm/node-postgres`',
  'drizzle-tusk/drizzle-postgres': 'Drizzle: `@tusk/drizzle` vs `drizzle-orm/postgres-js`',
  'prisma-tusk/prisma-pg': 'Prisma: `@tusk/prisma` vs `@prisma/adapter-pg`',
}

/** A ratio whose min–max straddles 1 is a tie: it is marked ≈. */
function ratioText(s: Summary): string {
  const tie = s.n > 1 && s.min < 1 && s.max > 1
  return `${tie ? '≈ ' : ''}${ratio(s)}`
}

function figure(metric: MetricResult | undefined, driver: DriverName): string {
  const cell = metric?.cells[driver]
  return cell && 'summary' in cell ? formatNumber(cell.summary.median) : '—'
}

function metricOf(w: WorkloadResult | undefined, key: string): MetricResult | undefined {
  return w?.metrics.find((m) => m.key === key)
}

function driverTable(suite: SuiteResult, notes: Footnotes): string[] {
  const pairs = suite.ratioPairs
  const out = [
    `| workload | Tusk | ${pairs.map((p) => PAIR_LABELS[p] ?? p).join(' | ')} |`,
    `|---|--:|${pairs.map(() => '--:|').join('')}`,
  ]
  for (const row of DRIVER_ROWS) {
    const w = suite.workloads.find((x) => x.id === row.workload)
    const metric = metricOf(w, row.metric)
    if (!metric) continue
    const label = row.note ? `${row.label} [${notes.add(row.note)}]` : row.label
    const cells = pairs.map((pair) => {
      const [, other] = pair.split('/') as [DriverName, DriverName]
      const excluded = HEADLINE_EXCLUSIONS.find(
        (x) => x.workload === row.workload && x.metric === row.metric && x.driver === other,
      )
      if (excluded) return `left out [${notes.add(excluded.reason)}]`
      const s = metric.ratios[pair]
      if (s) return ratioText(s)
      const gap = row.gaps?.[other]
      if (gap) return `— [${notes.add(gap)}]`
      const cell = metric.cells[other]
      return cell && 'na' in cell
        ? `— [${notes.add(cell.na.replace(/^n\/a \((.*)\)$/s, '$1'))}]`
        : '—'
    })
    out.push(`| ${label} | ${figure(metric, 'tusk')} | ${cells.join(' | ')} |`)
  }
  return out
}

/**
 * The ORM suite as one block of rows per pair (an ORM over Tusk and over its stock setup): with
 * five ORMs, a column per driver would not fit a page.
 */
function ormTable(suite: SuiteResult): string[] {
  const out = [
    '| ORM | workload | metric | over Tusk | over the stock driver | ratio |',
    '|---|---|---|--:|--:|--:|',
  ]
  for (const pair of suite.ratioPairs) {
    const [tusk, stock] = pair.split('/') as [DriverName, DriverName]
    let first = true
    for (const w of suite.workloads) {
      w.metrics.forEach((m, i) => {
        const label = m.better === 'lower' ? `${m.label} ↓` : m.label
        const s = m.ratios[pair]
        const orm = first ? (PAIR_LABELS[pair] ?? pair) : ''
        first = false
        out.push(
          `| ${orm} | ${i === 0 ? w.title : ''} | ${label} | ${figure(m, tusk)} | ${figure(m, stock)} | ${s ? ratioText(s) : '—'} |`,
        )
      })
    }
  }
  return out
}

/** The README block's content (between the markers), from `r` (bench/results/latest.json). */
export function renderHeadline(r: Results): string {
  const m = r.machine
  const notes = new Footnotes()
  const out: string[] = [
    `Generated by \`pnpm --filter @tusk/bench readme\` from [bench/results/latest.json](bench/results/latest.json) — do not edit by hand. Measured by \`${r.command}\` (${r.mode} run) on ${r.date.slice(0, 10)} at commit ${revisionLabel(r.revision)}: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, PostgreSQL ${r.postgres}, TCP to 127.0.0.1 without TLS; ${r.runs} counted run${r.runs === 1 ? '' : 's'} per driver, each in a fresh process, ${r.order}. Each ratio is the median of run-by-run ratios (min–max); ↓ marks latency and memory, where below 1× favours Tusk; ≈ marks a ratio whose range straddles 1 (a tie). Every figure, with the other drivers’ own, is in [bench/results/latest.md](bench/results/latest.md).`,
  ]
  const drivers = r.suites.find((s) => s.id === 'drivers')
  if (drivers) {
    out.push(
      '',
      '![Tusk, postgres.js, pg-native and libpq relative to pg](bench/results/latest.svg)',
      '',
      ...driverTable(drivers, notes),
    )
  }
  const orm = r.suites.find((s) => s.id === 'orm')
  if (orm) {
    out.push(
      '',
      `ORM: the same queries through each ORM over Tusk and over its stock driver, pool of ${r.sizes.poolSize} each (${orm.drivers.map((d) => d.version).join('; ')}):`,
      '',
      ...ormTable(orm),
    )
  }
  const footnotes = notes.lines()
  if (footnotes.length > 0) out.push('', ...footnotes)
  return out.join('\n')
}
