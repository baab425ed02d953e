/**
 * Summaries of the profiles `--cpu-prof` and `--heap-prof` write: the functions with the most self
 * time (`.cpuprofile`) and the ones that allocated the most (`.heapprofile`), each as
 * `name file:line`, so a run shows where the time and the garbage go without opening a viewer.
 */
import { readFileSync } from 'node:fs'

/** A V8 call frame as both profile formats record it. */
interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

/** A `.cpuprofile` (Chrome DevTools' format). */
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

/** A `.heapprofile` node: bytes allocated by this frame itself (sampled), and its callees. */
interface HeapNode {
  callFrame: CallFrame
  selfSize: number
  children: HeapNode[]
}

/** One row of a summary. */
export interface ProfileLine {
  /** `name file:line` (node_modules and the repository's path shortened). */
  frame: string
  /** Milliseconds (CPU) or bytes (heap). */
  amount: number
  /** Share of the profile's total, 0–1. */
  share: number
}

function frameOf(cf: CallFrame, parent: CallFrame | undefined): string {
  const file = cf.url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/.*\/(packages|bench)\//, '$1/')
  const name = cf.functionName || '(anonymous)'
  if (file) return `${name} ${file}:${cf.lineNumber + 1}`
  // A built-in (`exec`, `subarray`, `decodeUTF8`) says little alone: name its caller too.
  if (parent !== undefined && !name.startsWith('(') && (parent.url || parent.functionName)) {
    return `${name} ← ${frameOf(parent, undefined)}`
  }
  return name
}

function top(totals: Map<string, number>, limit: number): ProfileLine[] {
  let sum = 0
  for (const v of totals.values()) sum += v
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([frame, amount]) => ({ frame, amount, share: sum > 0 ? amount / sum : 0 }))
}

/** The `limit` functions with the most self time in the `.cpuprofile` at `file` (ms). */
export function summarizeCpuProfile(file: string, limit = 25): ProfileLine[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const parents = new Map<number, CallFrame>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.callFrame)
  const frames = new Map(profile.nodes.map((n) => [n.id, frameOf(n.callFrame, parents.get(n.id))]))
  const totals = new Map<string, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = frames.get(profile.samples[i]!) ?? '(unknown)'
    totals.set(frame, (totals.get(frame) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  }
  return top(totals, limit)
}

/** The `limit` functions that allocated the most in the `.heapprofile` at `file` (bytes). */
export function summarizeHeapProfile(file: string, limit = 25): ProfileLine[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }
  const totals = new Map<string, number>()
  const stack: [HeapNode, CallFrame | undefined][] = [[profile.head, undefined]]
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!
    if (node.selfSize > 0) {
      const frame = frameOf(node.callFrame, parent)
      totals.set(frame, (totals.get(frame) ?? 0) + node.selfSize)
    }
    for (const child of node.children) stack.push([child, node.callFrame])
  }
  return top(totals, limit)
}

/** The lines of a summary as a table for the terminal. */
export function formatSummary(lines: readonly ProfileLine[], unit: 'ms' | 'MiB'): string {
  return lines
    .map((l) => {
      const amount = unit === 'ms' ? l.amount.toFixed(1) : (l.amount / 2 ** 20).toFixed(1)
      return `${amount.padStart(9)} ${unit} ${(l.share * 100).toFixed(1).padStart(5)}%  ${l.frame}`
    })
    .join('\n')
}
