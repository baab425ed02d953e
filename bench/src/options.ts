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
  /** `--cpu-prof W3:tusk`: profile that one child instead of running the suite. */
  cpuProf: { workload: WorkloadId; driver: DriverName } | undefined
  /** True when `--only`, `--orm` or `--drivers` narrowed the run (results go to `partial.*`). */
  filtered: boolean
  /** The arguments as given, for the results header. */
  args: string[]
}

/** Printed by `--help`. */
export const USAGE = `pnpm bench [options]

  --quick                  a tenth of the rows, queries and checkouts, 3 counted runs (a smoke run)
  --orm                    only the ORM suite (the same as --only ORM)
  --only W1,W2p,W4         workloads to run (W4 = every W4-… workload, W2 = W2 and W2-pipelined,
                           ORM = the ORM suite); ids: ${WORKLOAD_IDS.join(', ')}
  --drivers tusk,pg        drivers to run (${DRIVER_NAMES.join(', ')})
  --runs N                 counted runs per driver and workload (default 5, 3 with --quick)
  --cpu-prof W3:tusk       run that workload once in a child under --cpu-prof, print the profile path
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
  let cpuProf: BenchOptions['cpuProf']
  let filtered = false
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
      case '--runs': {
        const n = Number(value())
        if (!Number.isInteger(n) || n < 1) throw new Error('--runs needs a positive integer')
        runs = n
        break
      }
      case '--cpu-prof': {
        const [w, d] = list(value(), flag)[0]?.split(':') ?? []
        if (!w || !d) throw new Error('--cpu-prof needs <workload>:<driver>, e.g. W3:tusk')
        const [workload] = workloadsOf([w])
        cpuProf = { workload: workload!, driver: driverOf(d) }
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
    cpuProf,
    filtered,
    args,
  }
}
