/** Renders the results document as the markdown table of results/latest.md and the README. */
import { type Cell, type Results, type SuiteResult, suiteOf } from './results.js'
import { revisionLabel } from './revision.js'
import type { Summary } from './stats.js'

/** `12 345`, `48.2`, `0.93`: integers from 100 up, thin decimals below. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '?'
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US').replace(/,/g, ' ')
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

/** `12 345 (11 800–12 900)`: a figure's median and range. */
export function range(s: Summary): string {
  const f = formatNumber
  return s.n > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median)
}

/** `1.23× (1.10–1.31)`: a run-by-run ratio's median and range. */
export function ratio(s: Summary): string {
  const f = (v: number): string => v.toFixed(2)
  return s.n > 1 ? `${f(s.median)}× (${f(s.min)}–${f(s.max)})` : `${f(s.median)}×`
}

/** Footnotes for reasons too long for a cell, numbered in order of first use. */
export class Footnotes {
  readonly #texts: string[] = []

  /** `text` itself when it fits a cell, else `n/a [k]` / `error [k]` pointing at its footnote. */
  mark(text: string): string {
    if (text.length <= 28) return text
    return `${text.startsWith('n/a') ? 'n/a' : 'error'} [${this.add(text)}]`
  }

  /** Adds `text` as a footnote (once) and returns its number. */
  add(text: string): number {
    let i = this.#texts.indexOf(text)
    if (i < 0) i = this.#texts.push(text) - 1
    return i + 1
  }

  /** The footnotes as numbered lines. */
  lines(): string[] {
    return this.#texts.map((t, i) => `${i + 1}. ${t.replace(/\s+/g, ' ')}`)
  }
}

function cellText(cell: Cell | undefined, notes: Footnotes): string {
  if (!cell) return ''
  if ('summary' in cell) return range(cell.summary)
  if ('na' in cell) return notes.mark(cell.na)
  return notes.mark(`error: ${cell.error.split('\n')[0]}`)
}

function sizesLine(r: Results): string {
  const s = r.sizes
  const n = formatNumber
  const parts: string[] = []
  if (suiteOf(r, 'drivers')) {
    parts.push(
      `W1 ${n(s.sequentialQueries)} queries`,
      `W2/W2p ${n(s.concurrentQueries)} queries, ${s.inFlight} in flight, pool of ${s.poolSize}`,
      `W3 ${s.wideReads} × ${n(s.wideRows)} rows`,
      `W4 ${n(s.insertRows)} rows (${n(s.rowsPerStatement)} per INSERT)`,
      `W5 ${n(s.streamRows)} rows (cursor batches of ${n(s.cursorBatch)})`,
      `W6 ${n(s.checkouts)} checkouts per pass (${s.inFlight} callers, then 1), pool of ${s.poolSize}`,
    )
  }
  if (suiteOf(r, 'orm')) {
    parts.push(
      `ORM pool of ${s.poolSize}: ${n(s.ormLookups)} lookups by id from one caller, ${n(s.concurrentQueries)} from ${s.inFlight}; ${s.wideReads} reads of ${n(s.ormRows)} rows; ${n(s.ormInsertRows)} rows inserted ${n(s.rowsPerStatement)} per statement`,
    )
  }
  if (suiteOf(r, 'bun')) {
    parts.push(
      `Bun: W1 ${n(s.sequentialQueries)} queries; W2p ${n(s.concurrentQueries)} queries, ${s.inFlight} in flight; W3 ${s.wideReads} × ${n(s.wideRows)} rows`,
    )
  }
  if (suiteOf(r, 'otel')) {
    parts.push(
      `observability: W1 ${n(s.sequentialQueries)} queries; W2 ${n(s.concurrentQueries)} queries, ${s.inFlight} in flight, pool of ${s.poolSize}`,
    )
  }
  return parts.join('; ')
}

/** The facts of the run as a two-column table: commit, machine, versions, sizes, drivers. */
export function renderRunFacts(r: Results): string[] {
  const m = r.machine
  const drivers = r.suites.flatMap((s) => s.drivers)
  return [
    '| | |',
    '|---|---|',
    `| date | ${r.date} |`,
    `| command | \`${r.command}\` (${r.mode} run, ${Math.round(r.durationSeconds)} s) |`,
    `| commit | ${revisionLabel(r.revision)} |`,
    `| machine | ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os} |`,
    `| Node | ${m.node} |`,
    `| PostgreSQL | ${r.postgres} |`,
    `| server | ${r.server} |`,
    `| connection | ${r.connection} |`,
    `| runs | ${r.runs} counted + ${r.warmUps} warm-up per driver and workload, ${r.order}, a fresh child process each; median (min–max) |`,
    `| sizes | ${sizesLine(r)} |`,
    `| drivers | ${drivers.map((d) => `${d.name}: ${d.version}`).join('; ')} |`,
  ]
}

function suiteTable(suite: SuiteResult, notes: Footnotes): string[] {
  const drivers = suite.drivers.map((d) => d.name)
  const pairs = suite.ratioPairs
  const columns = [...drivers, ...pairs]
  const out = [
    `| workload | metric | ${columns.join(' | ')} |`,
    `|---|---|${columns.map(() => '--:|').join('')}`,
  ]
  for (const w of suite.workloads) {
    w.metrics.forEach((metric, i) => {
      const label = metric.better === 'lower' ? `${metric.label} ↓` : metric.label
      const cells = drivers.map((d) => cellText(metric.cells[d], notes))
      const ratios = pairs.map((p) => {
        const s = metric.ratios[p]
        return s ? ratio(s) : ''
      })
      const row = [i === 0 ? w.title : '', label, ...cells, ...ratios]
      out.push(`| ${row.join(' | ')} |`)
    })
  }
  return out
}

/** The run facts, one table per suite and their notes, without a page heading (the README embeds this part). */
export function renderResultsBody(r: Results): string {
  const out: string[] = [
    `Generated by \`${r.command}\` — do not edit by hand.`,
    '',
    ...renderRunFacts(r),
  ]
  const notes = new Footnotes()
  for (const suite of r.suites) {
    out.push('', `### ${suite.title}`, '', ...suiteTable(suite, notes))
    if (suite.notes.length > 0) out.push('', ...suite.notes.map((n) => `- ${n}`))
  }
  out.push(
    '',
    '↓ lower is better. A ratio is A’s figure over B’s, computed run by run within this run (run r of A against run r of B), then summarised as median (min–max); for ↓ metrics a ratio below 1 favours A.',
  )
  const footnotes = notes.lines()
  if (footnotes.length > 0) out.push('', ...footnotes)
  return `${out.join('\n')}\n`
}

/** The whole results/latest.md page; `chartFile` is left out when there is no chart. */
export function renderMarkdown(r: Results, chartFile: string | undefined): string {
  const chart = chartFile ? `![ratios against pg](${chartFile})\n\n` : ''
  return `# Benchmark results\n\n${chart}${renderResultsBody(r)}`
}
