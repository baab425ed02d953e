/**
 * The chart of the driver suite: for each workload's charted metrics, one bar per driver showing its figure relative
 * to pg's (run-by-run median, min–max whisker), on a log scale around pg = 1. Memory metrics are
 * inverted (pg ÷ driver) so that longer to the right is better everywhere.
 */
import { type Results, suiteOf } from './results.js'
import type { Summary } from './stats.js'
import type { DriverName } from './workloads.js'

const COLORS: Record<DriverName, string> = {
  tusk: '#d9480f',
  pg: '#868e96',
  'pg-compat': '#f76707',
  postgres: '#1971c2',
  'pg-native': '#2f9e44',
  libpq: '#7048e8',
  'kysely-tusk': '#d9480f',
  'kysely-pg': '#868e96',
  'knex-tusk': '#e8590c',
  'knex-pg': '#adb5bd',
  'typeorm-tusk': '#fd7e14',
  'typeorm-pg': '#dee2e6',
  'drizzle-tusk': '#f76707',
  'drizzle-pg': '#ced4da',
  'drizzle-postgres': '#495057',
  'prisma-tusk': '#e67700',
  'prisma-pg': '#f1f3f5',
  'tusk-otel': '#f08c00',
  'tusk-bun': '#c2255c',
  'postgres-bun': '#1864ab',
  bunsql: '#fab005',
}

const WIDTH = 960
const LABEL_WIDTH = 250
const PLOT_LEFT = LABEL_WIDTH + 10
const PLOT_RIGHT = WIDTH - 70
const BAR = 13
const BAR_GAP = 3
const GROUP_GAP = 16
const TOP = 78

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function invert(s: Summary): Summary {
  return { median: 1 / s.median, min: 1 / s.max, max: 1 / s.min, n: s.n }
}

interface Group {
  label: string
  bars: { driver: DriverName; value: Summary | undefined }[]
}

/** Renders the driver suite's chart as a standalone SVG document; undefined when it did not run. */
export function renderSvg(r: Results): string | undefined {
  const suite = suiteOf(r, 'drivers')
  if (!suite) return undefined
  const others = suite.drivers.map((d) => d.name).filter((d) => d !== suite.baseline)
  const groups: Group[] = []
  for (const w of suite.workloads) {
    for (const m of w.metrics.filter((x) => x.chart)) {
      const inverted = m.better === 'lower'
      groups.push({
        label: `${w.short}: ${m.label}${inverted ? ' (inverted)' : ''}`,
        bars: others.map((driver) => {
          const s = m.versusBaseline[driver]
          return { driver, value: s && (inverted ? invert(s) : s) }
        }),
      })
    }
  }
  const values = groups.flatMap((g) =>
    g.bars.flatMap((b) => (b.value ? [b.value.min, b.value.max] : [])),
  )
  const lo = 2 ** Math.min(-1, Math.floor(Math.log2(Math.min(...values, 1))))
  const hi = 2 ** Math.max(1, Math.ceil(Math.log2(Math.max(...values, 1))))
  const x = (v: number): number =>
    PLOT_LEFT +
    ((Math.log2(Math.min(hi, Math.max(lo, v))) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo))) *
      (PLOT_RIGHT - PLOT_LEFT)
  const groupHeight = others.length * (BAR + BAR_GAP) + GROUP_GAP
  const height = TOP + groups.length * groupHeight + 30
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">Relative to pg (pg = 1×, log scale; longer to the right is better)</text>`,
    `<text x="12" y="40" fill="#495057">${escapeXml(`${r.mode} run, ${r.date.slice(0, 10)}, ${r.revision.commit}${r.revision.dirty ? '-dirty' : ''}, ${r.machine.cores} cores, Node ${r.machine.node}, PostgreSQL ${r.postgres}; medians of run-by-run ratios, whiskers min–max; memory rows inverted (pg ÷ driver)`)}</text>`,
  ]
  let legendX = 12
  for (const d of others) {
    out.push(
      `<rect x="${legendX}" y="50" width="12" height="12" fill="${COLORS[d]}"/>`,
      `<text x="${legendX + 16}" y="60">${escapeXml(d)}</text>`,
    )
    legendX += 24 + d.length * 7
  }
  const plotBottom = TOP + groups.length * groupHeight - GROUP_GAP / 2
  for (let t = lo; t <= hi; t *= 2) {
    const tx = x(t).toFixed(1)
    const strong = t === 1
    out.push(
      `<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${plotBottom}" stroke="${strong ? '#212529' : '#dee2e6'}" stroke-width="${strong ? 1.5 : 1}"/>`,
      `<text x="${tx}" y="${plotBottom + 16}" text-anchor="middle" fill="#495057">${t >= 1 ? t : `1/${1 / t}`}×</text>`,
    )
  }
  groups.forEach((g, gi) => {
    const gy = TOP + gi * groupHeight
    const labelY = gy + (others.length * (BAR + BAR_GAP)) / 2 + 2
    out.push(
      `<text x="${LABEL_WIDTH}" y="${labelY.toFixed(1)}" text-anchor="end">${escapeXml(g.label)}</text>`,
    )
    g.bars.forEach((b, bi) => {
      const y = gy + bi * (BAR + BAR_GAP)
      const mid = (y + BAR / 2).toFixed(1)
      if (!b.value) {
        out.push(
          `<text x="${(x(1) + 4).toFixed(1)}" y="${y + BAR - 2}" fill="#adb5bd" font-size="11">${escapeXml(b.driver)}: n/a</text>`,
        )
        return
      }
      const v = b.value
      const left = Math.min(x(1), x(v.median))
      const w = Math.max(1, Math.abs(x(v.median) - x(1)))
      out.push(
        `<rect x="${left.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${COLORS[b.driver]}"><title>${escapeXml(`${b.driver}: ${v.median.toFixed(2)}× (${v.min.toFixed(2)}–${v.max.toFixed(2)})`)}</title></rect>`,
        `<line x1="${x(v.min).toFixed(1)}" y1="${mid}" x2="${x(v.max).toFixed(1)}" y2="${mid}" stroke="#212529" stroke-width="1"/>`,
        `<text x="${(Math.max(x(v.median), x(v.max), x(1)) + 4).toFixed(1)}" y="${y + BAR - 2}" font-size="11">${v.median.toFixed(2)}×</text>`,
      )
    })
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
