/**
 * Runs the plan: every workload, one fresh child per driver and run, drivers interleaved and their
 * order rotated every round (A B C, B C A, C A B, ...) so that no driver always runs first or
 * right after the same neighbour; one warm-up round first that is not counted.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ANSWER_PREFIX,
  type ChildTask,
  type DriverName,
  isBunDriver,
  type LibpqTools,
  type ProbeAnswer,
  type RunAnswer,
  type Sample,
  type Sizes,
  suiteSpec,
  type WorkloadId,
  workloadSpec,
} from './workloads.js'

/** The bench package folder. */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CHILD_JS = path.join(BENCH_DIR, 'dist', 'child.js')
const CHILD_TIMEOUT_MS = 10 * 60_000

/**
 * The Bun executable of the `bun` npm package (a devDependency; its postinstall links the binary
 * of the platform package `@oven/bun-<platform>`).
 */
function bunExecutable(): string {
  const pkg = createRequire(import.meta.url).resolve('bun/package.json')
  return path.join(path.dirname(pkg), 'bin', 'bun.exe')
}

/**
 * The runtime and its flags for `task`'s child: Node (with `nodeFlags`), or Bun for the Bun
 * suite's drivers (Node's flags do not apply there; the child's RSS sampler then runs without a
 * forced collection first, which only W5 uses).
 */
function runtimeFor(task: ChildTask, nodeFlags: readonly string[]): [string, ...string[]] {
  return isBunDriver(task.driver) ? [bunExecutable()] : [process.execPath, ...nodeFlags]
}

/** What one driver did in one workload; `samples[r]` is counted run r (all of them when ok). */
export interface DriverOutcome {
  status: 'ok' | 'na' | 'error'
  /** The n/a reason or the error. */
  reason?: string
  samples: Sample[]
}

/** All drivers' outcomes for one workload. */
export interface WorkloadOutcome {
  id: WorkloadId
  drivers: Partial<Record<DriverName, DriverOutcome>>
  /** The order the drivers ran in, round by round (the warm-up round first). */
  rounds: DriverName[][]
}

/** The run as a whole. */
export interface Plan {
  workloads: readonly WorkloadId[]
  drivers: readonly DriverName[]
  runs: number
  sizes: Sizes
  url: string
  workDir: string
  tools: LibpqTools
  /** The postmaster's pid, when the server is local. */
  serverPid: number | undefined
  /** Extra flags for every Node child (`--node-flags`). */
  nodeFlags: readonly string[]
}

/** Runs the child with `task`; resolves with its answer. */
export function runChild<T>(task: ChildTask, nodeFlags: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const [file, ...flags] = runtimeFor(task, nodeFlags)
    const child = spawn(file, [...flags, CHILD_JS, JSON.stringify(task)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
    })
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split('\n').find((l) => l.startsWith(ANSWER_PREFIX))
      if (line) {
        resolve(JSON.parse(line.slice(ANSWER_PREFIX.length)) as T)
        return
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`
      reject(new Error(`child ${why}: ${stderr.trim().split('\n').slice(-8).join('\n')}`))
    })
  })
}

/** Asks every driver's child for its version and what it cannot run. */
export async function probeDrivers(
  drivers: readonly DriverName[],
  tools: LibpqTools,
): Promise<Partial<Record<DriverName, ProbeAnswer>>> {
  const answers: Partial<Record<DriverName, ProbeAnswer>> = {}
  for (const driver of drivers) {
    answers[driver] = await runChild<ProbeAnswer>({ kind: 'probe', driver, tools })
  }
  return answers
}

function headline(id: WorkloadId, sample: Sample): string {
  const metric = workloadSpec(id).metrics[0]!
  const value = sample[metric.key] ?? Number.NaN
  return `${Math.round(value).toLocaleString('en-US')} ${metric.label}`
}

/** `drivers` rotated left by `round` places. */
export function rotation<T>(drivers: readonly T[], round: number): T[] {
  if (drivers.length === 0) return []
  const k = round % drivers.length
  return [...drivers.slice(k), ...drivers.slice(0, k)]
}

/** Runs every workload of `plan`; `log` gets one progress line per child. */
export async function runPlan(
  plan: Plan,
  probes: Partial<Record<DriverName, ProbeAnswer>>,
  log: (line: string) => void,
): Promise<WorkloadOutcome[]> {
  const outcomes: WorkloadOutcome[] = []
  for (const id of plan.workloads) {
    const drivers: WorkloadOutcome['drivers'] = {}
    const active: DriverName[] = []
    const rounds: DriverName[][] = []
    const suite = suiteSpec(workloadSpec(id).suite)
    for (const driver of plan.drivers.filter((d) => suite.drivers.includes(d))) {
      const probe = probes[driver]
      const na = probe?.unavailable ?? probe?.missing[id]
      if (na) drivers[driver] = { status: 'na', reason: na, samples: [] }
      else {
        drivers[driver] = { status: 'ok', samples: [] }
        active.push(driver)
      }
    }
    for (let round = 0; round <= plan.runs; round++) {
      const label = round === 0 ? 'warm-up' : `run ${round}/${plan.runs}`
      const order = rotation(active, round).filter((d) => drivers[d]?.status === 'ok')
      rounds.push(order)
      for (const driver of order) {
        const outcome = drivers[driver]!
        const task: ChildTask = {
          kind: 'run',
          driver,
          workload: id,
          url: plan.url,
          sizes: plan.sizes,
          workDir: plan.workDir,
          tools: plan.tools,
          ...(plan.serverPid === undefined ? {} : { serverPid: plan.serverPid }),
        }
        let answer: RunAnswer
        try {
          answer = await runChild<RunAnswer>(task, ['--expose-gc', ...plan.nodeFlags])
        } catch (err) {
          answer = { status: 'error', message: err instanceof Error ? err.message : String(err) }
        }
        if (answer.status === 'ok') {
          if (round > 0) outcome.samples.push(answer.sample)
          log(`${id} ${label} ${driver}: ${headline(id, answer.sample)}`)
        } else {
          outcome.status = answer.status
          outcome.reason = answer.status === 'na' ? answer.reason : answer.message
          log(`${id} ${label} ${driver}: ${answer.status} ${outcome.reason}`)
        }
      }
    }
    outcomes.push({ id, drivers, rounds })
  }
  return outcomes
}
