/**
 * `pnpm bench`: starts the server, prepares the tables, runs every workload of both suites (the
 * drivers, the ORMs) for every driver in fresh child processes and writes
 * results/latest.{md,json,svg} (results/partial.* when --only, --orm or --drivers narrowed the
 * run), refreshing the table in bench/README.md after a full-set run. The repository README's
 * block is regenerated from latest.json by `pnpm --filter @tusk/bench readme` (src/readme.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { machineInfo } from './machine.js'
import { type BenchOptions, parseOptions, USAGE } from './options.js'
import { dropFixtures, prepareFixtures } from './prepare.js'
import { formatSummary, summarizeCpuProfile, summarizeHeapProfile } from './profile-summary.js'
import { renderMarkdown, renderResultsBody } from './report-markdown.js'
import { renderSvg } from './report-svg.js'
import { buildResults, type Results } from './results.js'
import { readRevision } from './revision.js'
import { BENCH_DIR, probeDrivers, runChild, runPlan } from './runner.js'
import { type BenchServer, startBenchServer } from './server.js'
import { isBunDriver, type RunAnswer } from './workloads.js'

const README_START = '<!-- bench-results:start -->'
const README_END = '<!-- bench-results:end -->'

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

async function profile(options: BenchOptions, server: BenchServer, workDir: string): Promise<void> {
  const target = options.profile!
  if (target.driver === 'libpq' || isBunDriver(target.driver))
    throw new Error(`--cpu-prof and --heap-prof profile Node drivers, not ${target.driver}`)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-prof-'))
  const flags = [
    ...options.nodeFlags,
    ...(target.cpu ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
  ]
  const kinds = [target.cpu ? 'CPU' : '', target.heap ? 'allocations' : ''].filter(Boolean)
  log(`profiling ${target.workload} with ${target.driver} (${kinds.join(', ')}) ...`)
  const answer = await runChild<RunAnswer>(
    {
      kind: 'run',
      driver: target.driver,
      workload: target.workload,
      url: server.url,
      sizes: options.sizes,
      workDir,
      tools: server.tools,
      ...(server.pid === undefined ? {} : { serverPid: server.pid }),
      ...(target.heap ? { heapProfileDir: dir } : {}),
    },
    flags,
  )
  log(JSON.stringify(answer))
  // The CPU profile covers the whole child (start, connecting, untimed setup); the allocation
  // profile the workload's run, its untimed setup included.
  for (const file of readdirSync(dir).sort()) {
    const full = path.join(dir, file)
    if (file.endsWith('.cpuprofile')) {
      log(`\nself time (the whole child):\n${formatSummary(summarizeCpuProfile(full), 'ms')}`)
    } else if (file.endsWith('.heapprofile')) {
      log(`\nallocated (sampled, the run):\n${formatSummary(summarizeHeapProfile(full), 'MiB')}`)
    } else continue
    console.log(full)
  }
}

function refreshReadme(body: string): void {
  const file = path.join(BENCH_DIR, 'README.md')
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf(README_START)
  const end = text.indexOf(README_END)
  if (start < 0 || end < start) {
    log(`bench/README.md has no ${README_START} … ${README_END} block; not updated`)
    return
  }
  const block = `${README_START}\n\n![ratios against pg](results/latest.svg)\n\n${body}\n${README_END}`
  writeFileSync(file, text.slice(0, start) + block + text.slice(end + README_END.length))
}

function writeResults(results: Results, filtered: boolean, saveAs: string | undefined): string {
  const dir = path.join(BENCH_DIR, 'results')
  const base = filtered ? (saveAs ?? 'partial') : 'latest'
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`)
  const svg = renderSvg(results)
  if (svg) writeFileSync(path.join(dir, `${base}.svg`), svg)
  else rmSync(path.join(dir, `${base}.svg`), { force: true })
  writeFileSync(path.join(dir, `${base}.md`), renderMarkdown(results, svg && `${base}.svg`))
  if (!filtered) refreshReadme(renderResultsBody(results))
  return path.join(dir, `${base}.md`)
}

function hasErrors(results: Results): boolean {
  return results.suites.some((s) =>
    s.workloads.some((w) =>
      w.metrics.some((m) => Object.values(m.cells).some((c) => 'error' in c)),
    ),
  )
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  if (options === 'help') {
    console.log(USAGE)
    return 0
  }
  const started = performance.now()
  const date = new Date()
  const revision = readRevision(path.resolve(BENCH_DIR, '..'))
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-'))
  log('starting the server ...')
  const server = await startBenchServer()
  const cleanUp = async (): Promise<void> => {
    if (process.env.BENCH_DATABASE_URL) await dropFixtures(server.url).catch(() => {})
    await server.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
  // An interrupted run still stops its server and removes its temp folder.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`)
      cleanUp().finally(() => process.exit(130))
    })
  }
  try {
    log(`server: ${server.description}`)
    log('preparing tables ...')
    const workloads = options.profile ? [options.profile.workload] : options.workloads
    await prepareFixtures(server.url, workloads, options.sizes, workDir)
    if (options.profile) {
      await profile(options, server, workDir)
      return 0
    }
    const probes = await probeDrivers(options.drivers, server.tools)
    for (const d of options.drivers) {
      const p = probes[d]
      log(`driver ${d}: ${p?.version ?? '-'}${p?.unavailable ? ` — ${p.unavailable}` : ''}`)
    }
    const outcomes = await runPlan(
      {
        workloads: options.workloads,
        drivers: options.drivers,
        runs: options.runs,
        sizes: options.sizes,
        url: server.url,
        workDir,
        tools: server.tools,
        serverPid: server.pid,
        nodeFlags: options.nodeFlags,
      },
      probes,
      log,
    )
    const results = buildResults(outcomes, probes, {
      date,
      command: `pnpm bench${options.args.length > 0 ? ` ${options.args.join(' ')}` : ''}`,
      quick: options.quick,
      revision,
      machine: machineInfo(),
      postgres: server.version,
      server: server.description,
      runs: options.runs,
      sizes: options.sizes,
      drivers: options.drivers,
      durationSeconds: (performance.now() - started) / 1000,
    })
    // A quick or narrowed run never replaces latest.*, the last full run, nor the README tables.
    const file = writeResults(results, options.filtered || options.quick, options.saveAs)
    console.log(`\n${renderResultsBody(results)}`)
    log(`wrote ${path.relative(process.cwd(), file)} (+ .json, .svg)`)
    if (!options.filtered && !options.quick && !hasErrors(results)) {
      log('to refresh the README: pnpm --filter @tusk/bench readme')
    }
    if (hasErrors(results)) {
      log('some runs failed (see the table): do not commit these results')
      return 1
    }
    return 0
  } finally {
    await cleanUp()
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  },
)
