/**
 * How busy the server was while a workload ran: the CPU time of the postmaster's processes (its
 * backends and background workers, read from /proc) over the wall time. A figure near 100 % means
 * the one backend serving the workload had no time to spare, so the client was not the limit.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const MS_PER_TICK = 10

/**
 * From `/proc/<pid>/stat`: the parent pid, the process's own user + system ticks, and those of
 * its children that exited and were waited for; undefined once it is gone.
 */
function statOf(pid: string): { ppid: number; ticks: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return {
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]),
      reaped: Number(f[13]) + Number(f[14]),
    }
  } catch {
    return undefined
  }
}

/**
 * CPU ms the postmaster `pid` and its child processes have used so far: its own, its live
 * children's, and those of the children that exited (a backend whose client disconnected: the
 * postmaster waits for it, and the kernel adds its times to the postmaster's).
 */
export function serverCpuMs(pid: number): number {
  const postmaster = statOf(String(pid))
  let ticks = postmaster ? postmaster.ticks + postmaster.reaped : 0
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 0x39) continue
    const stat = statOf(entry)
    if (stat?.ppid === pid) ticks += stat.ticks
  }
  return ticks * MS_PER_TICK
}

/** The postmaster's pid: the parent of the backend `backendPid`, when it runs on this machine. */
export function postmasterOf(backendPid: number): number | undefined {
  return statOf(String(backendPid))?.ppid
}

/**
 * Starts measuring; the function returned gives `{ serverBusyPct }` for a section that took
 * `seconds`, or nothing when the server is not a local process (`pid` undefined).
 */
export function meterServer(pid: number | undefined): (seconds: number) => Record<string, number> {
  if (pid === undefined) return () => ({})
  const before = serverCpuMs(pid)
  return (seconds) => ({ serverBusyPct: (serverCpuMs(pid) - before) / (seconds * 10) })
}
