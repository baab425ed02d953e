/**
 * Runs a client program (psql, pgbench) and measures it from outside: wall time, CPU time (bash's
 * `times` after `wait`, i.e. the child's rusage) and peak RSS (VmHWM from /proc, polled every 10 ms).
 */
import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

/** What {@link measureCommand} reports. */
export interface CommandMeasure {
  seconds: number
  cpuMs: number
  peakRssMiB: number
}

// The program runs in the background so bash can print its pid first; `times` then prints the
// shell's own and its waited-for children's user and system time.
const WRAPPER = [
  'if [ -n "$BENCH_STDIN" ]; then "$@" <"$BENCH_STDIN" >/dev/null & else "$@" </dev/null >/dev/null & fi',
  'pid=$!',
  'echo "@pid $pid" >&2',
  'wait "$pid"',
  'code=$?',
  'echo "@times" >&2',
  'times >&2',
  'exit "$code"',
].join('\n')

function parseClock(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text)
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : Number.NaN
}

function highWaterMark(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** Runs `argv` with stdout discarded (stdin from `stdinFile` when given) and measures it. */
export function measureCommand(
  argv: readonly string[],
  stdinFile?: string,
): Promise<CommandMeasure> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn('bash', ['-c', WRAPPER, 'bash', ...argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, BENCH_STDIN: stdinFile ?? '' },
    })
    let stderr = ''
    let pid = 0
    let peak = 0
    const timer = setInterval(() => {
      if (pid) peak = Math.max(peak, highWaterMark(pid))
    }, 10)
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk
      if (!pid) {
        const m = /@pid (\d+)/.exec(stderr)
        if (m) pid = Number(m[1])
      }
    })
    child.on('error', (err) => {
      clearInterval(timer)
      reject(err)
    })
    child.on('close', (code) => {
      clearInterval(timer)
      const seconds = (performance.now() - start) / 1000
      const [before, after = ''] = stderr.split('@times')
      const childTimes = after.trim().split('\n')[1]?.trim().split(/\s+/) ?? []
      if (code !== 0) {
        reject(
          new Error(`${argv[0]} exited with ${code}: ${before?.replace(/@pid \d+\n/, '').trim()}`),
        )
        return
      }
      const cpuMs = childTimes.reduce((sum, t) => sum + parseClock(t), 0)
      resolve({ seconds, cpuMs, peakRssMiB: peak / 2 ** 20 })
    })
  })
}

/** Runs `file` with `args` and returns its stdout; rejects with its stderr on failure. */
export function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} failed: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
  })
}
