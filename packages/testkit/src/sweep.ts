/**
 * Removes what a dead earlier run left behind: servers whose owning process is gone and their
 * folders under the OS temp dir. Runs before a new server starts.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Prefix of every folder the testkit creates under the OS temp dir. */
export const DIR_PREFIX = 'tusk-pg-'

/** What the testkit writes next to a server so a later run can tell whether it is stale. */
export interface OwnerRecord {
  ownerPid: number
  createdAt: string
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')
  } catch {
    return true
  }
}

/** Stops servers and deletes folders of testkit runs whose owner process no longer exists. */
export function sweepStale(tmp = os.tmpdir()): number {
  let removed = 0
  let entries: string[]
  try {
    entries = readdirSync(tmp).filter((d) => d.startsWith(DIR_PREFIX))
  } catch {
    return 0
  }
  for (const name of entries) {
    const dir = path.join(tmp, name)
    let owner: OwnerRecord
    try {
      owner = JSON.parse(readFileSync(path.join(dir, 'owner.json'), 'utf8')) as OwnerRecord
    } catch {
      continue
    }
    if (alive(owner.ownerPid)) continue
    try {
      const pid = Number(
        readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
      )
      if (pid > 0 && alive(pid) && isPostgres(pid)) process.kill(pid, 'SIGKILL')
    } catch {}
    rmSync(dir, { recursive: true, force: true })
    removed++
  }
  return removed
}
