/** The command line of `pnpm bench`. */
import {
  DRIVER_NAMES,
  type DriverName,
  FULL_SIZES,
  QUICK_SIZES,
  type Sizes,
  WORKLOAD_IDS,
  type WorkloadId,
} from './workloads.js'

/** Parsed options. */
export interface BenchOptions {
  quick: boolean
  workloads: WorkloadId[]
  drivers: DriverName[]
  /** Counted runs per driver and workload (one warm-up run comes on top). */
  runs: number
  sizes: Sizes
  /**
   * `--cpu-prof W3:tusk`, `--heap-prof ORM-read:drizzle-tusk`: run that one child under Node's
   * CPU profiler, its sampling heap profiler, or both (the same target), instead of the suite.
   */
  profile: ProfileTarget | undefined
  /** True when `--only`, `--orm` or `--drivers` narrowed the run (results go to `partial.*`). */
  filtered: boolean
  /** `--save-as bun`: a narrowed run's results go to `results/bun.*` (kept in git) instead. */
  saveAs: string | undefined
  /** `--node-flags`: extra flags for every Node child (e.g. V8's heap sizes); never for Bun. */
  nodeFlags: string[]
  /** The arguments as given, for the results header. */
  args: string[]
}

/** The child `--cpu-prof` / `--heap-prof` profile, and which profilers it runs under. */
export interface ProfileTarget {
  workload: WorkloadId
  driver: DriverName
  cpu: boolean
  heap: boolean
}

/** Printed by `--help`. */
export const USAGE = `pnpm bench [options]

  --quick                  a tenth of the rows, queries and checkouts, 3 counted runs (a smoke run)
  --orm                    only the ORM suite (the same as --only ORM)
  --only W1,W2p,W4         workloads to run (W4 = every W4-… workload, W2 = W2 and W2-pipelined,
                           ORM = the ORM suite); ids: ${WORKLOAD_IDS.join(', ')}
  --drivers tusk,pg        drivers to run (${DRIVER_NAMES.join(', ')})
  --runs N                 counted runs per driver and workload (default 5, 3 with --quick)
  --cpu-prof W3:tusk       run that workload once in a child under node --cpu-prof, print the
                           profile's path and its functions by self time (ORM workloads too:
                           --cpu-prof ORM-read:drizzle-tusk)
  --heap-prof W3:tusk      the same under V8's sampling allocation profiler (garbage included):
                           the profile's path and the functions that allocated the most; with
                           --cpu-prof (same target) both profiles come from one run
  --node-flags "--max-semi-space-size=1"
                           extra flags for every Node child (space-separated), e.g. to see
                           how much of W5's RSS growth is V8's young generation; such a run
                           is never the full run (results go to partial.* or --save-as)
  --save-as NAME           write a narrowed run to results/NAME.{md,json,svg} (tracked in git)
                           instead of results/partial.* (ignored); e.g. --only BUN --save-as bun
  --help                   this text

Server: BENCH_DATABASE_URL when set, else the testkit's system PostgreSQL, else its embedded one
(BENCH_PG_SOURCE=embedded|system picks one).`

function list(value: string | undefined, flag: string): string[] {
  if (!value) throw new Error(`${flag} needs a value`)
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function workloadsOf(names: readonly string[]): WorkloadId[] {
  const chosen = new Set<WorkloadId>()
  for (const name of names) {
    const matches = WORKLOAD_IDS.filter(
      (id) =>
        id.toLowerCase() === name.toLowerCase() ||
        id.toLowerCase().startsWith(`${name.toLowerCase()}-`),
    )
    if (matches.length === 0)
      throw new Error(`unknown workload ${name} (${WORKLOAD_IDS.join(', ')})`)
    for (const id of matches) chosen.add(id)
  }
  return WORKLOAD_IDS.filter((id) => chosen.has(id))
}

function driverOf(name: string): DriverName {
  const found = DRIVER_NAMES.find((d) => d === name)
  if (!found) throw new Error(`unknown driver ${name} (${DRIVER_NAMES.join(', ')})`)
  return found
}

/** Parses `argv` (without node and the script); throws on a bad option. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  let quick = false
  let workloads: WorkloadId[] = [...WORKLOAD_IDS]
  let drivers: DriverName[] = [...DRIVER_NAMES]
  let runs: number | undefined
  let profile: ProfileTarget | undefined
  let filtered = false
  let saveAs: string | undefined
  let nodeFlags: string[] = []
  const args = argv.filter((a) => a !== '--')
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined]
    const value = (): string | undefined => inline ?? args[++i]
    switch (flag) {
      case '--help':
      case '-h':
        return 'help'
      case '--quick':
        quick = true
        break
      case '--only':
        workloads = workloadsOf(list(value(), flag))
        filtered = true
        break
      case '--orm':
        workloads = workloadsOf(['ORM'])
        filtered = true
        break
      case '--drivers':
        drivers = list(value(), flag).map(driverOf)
        filtered = true
        break
      case '--save-as': {
        const name = value()
        if (
          !name ||
          !/^[a-z0-9][a-z0-9-]*$/.test(name) ||
          name === 'latest' ||
          name === 'partial'
        ) {
          throw new Error(
            '--save-as needs a name of lower-case letters, digits and dashes (not latest or partial)',
          )
        }
        saveAs = name
        break
      }
      case '--node-flags': {
        nodeFlags = (value() ?? '').split(/\s+/).filter(Boolean)
        if (nodeFlags.length === 0 || nodeFlags.some((f) => !f.startsWith('--'))) {
          throw new Error(
            '--node-flags needs Node flags, e.g. --node-flags "--max-semi-space-size=1"',
          )
        }
        filtered = true
        break
      }
      case '--runs': {
        const n = Number(value())
        if (!Number.isInteger(n) || n < 1) throw new Error('--runs needs a positive integer')
        runs = n
        break
      }
      case '--cpu-prof':
      case '--heap-prof': {
        const [w, d] = list(value(), flag)[0]?.split(':') ?? []
        if (!w || !d) throw new Error(`${flag} needs <workload>:<driver>, e.g. W3:tusk`)
        const [workload, ...more] = workloadsOf([w])
        if (!workload || more.length > 0) {
          throw new Error(
            `${flag} profiles one workload; ${w} names ${[workload, ...more].join(', ')}`,
          )
        }
        const driver = driverOf(d)
        if (profile && (profile.workload !== workload || profile.driver !== driver)) {
          throw new Error('--cpu-prof and --heap-prof profile one run: give both the same target')
        }
        profile ??= { workload, driver, cpu: false, heap: false }
        if (flag === '--cpu-prof') profile.cpu = true
        else profile.heap = true
        break
      }
      default:
        throw new Error(`unknown option ${flag}\n\n${USAGE}`)
    }
  }
  return {
    quick,
    workloads,
    drivers,
    runs: runs ?? (quick ? 3 : 5),
    sizes: quick ? QUICK_SIZES : FULL_SIZES,
    profile,
    filtered,
    saveAs,
    nodeFlags,
    args,
  }
}
