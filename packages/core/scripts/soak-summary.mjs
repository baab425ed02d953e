// Prints the summary of a chaos soak's results file (written by test/faults/chaos-soak.test.ts).
// Usage: node packages/core/scripts/soak-summary.mjs <results.json>
import { readFileSync } from 'node:fs'

const file = process.argv[2]
if (!file) {
  console.error('usage: node packages/core/scripts/soak-summary.mjs <results.json>')
  process.exit(2)
}
const r = JSON.parse(readFileSync(file, 'utf8'))
const ms = ([min, median, max]) => `${min} / ${median} / ${max} ms`
const lines = [
  `Chaos soak, ${r.date.slice(0, 10)}: ${r.seconds} s of chaos (${(r.chaosMs / 1000).toFixed(1)} s measured), PostgreSQL ${r.server}, Node ${r.node}`,
  `machine: ${r.machine}`,
  `events: ${r.events} (${Object.entries(r.eventsByKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')})`,
  `operations (ok / failed): ${Object.entries(r.operations)
    .map(([k, o]) => `${k} ${o.ok}/${o.failed}`)
    .join(', ')}`,
  `writes: ${r.writes.acknowledged} acknowledged, ${r.writes.lost} lost; ${r.writes.failed} failed, of which ${r.writes.inDoubt} in doubt (${r.writes.inDoubtApplied} applied, ${r.writes.inDoubtNotApplied} not); ${r.writes.appliedThoughNotInDoubt} applied though reported not in doubt`,
  `errors by class: ${
    Object.entries(r.errorsByClass)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none'
  }`,
  `notifications: ${r.notifications.sent} sent, ${r.notifications.received} received, listener reconnects ${r.notifications.listenReconnects}`,
  `recovery (min / median / max): ${ms(r.recoveryMs.all)}`,
  ...Object.entries(r.recoveryMs.perEvent).map(([k, v]) => `  ${k}: ${ms(v)}`),
]
console.log(lines.join('\n'))
