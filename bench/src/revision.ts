/** The commit a run measured, so that a results file names the code behind its numbers. */
import { execFileSync } from 'node:child_process'

/** The working tree at the start of a run. */
export interface Revision {
  /** Short SHA of HEAD, or `unknown` outside a git checkout. */
  commit: string
  /** True when tracked or untracked files differ from HEAD (bench/results/ aside). */
  dirty: boolean
  /** How many paths differ (bench/results/ aside). */
  changedPaths: number
}

function git(dir: string, args: readonly string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
}

/**
 * Reads HEAD and the tree's state from `dir`. The results a run writes (bench/results/) are left
 * out of the dirty check: they are its output, not code it measured.
 */
export function readRevision(dir: string): Revision {
  try {
    const commit = git(dir, ['rev-parse', '--short', 'HEAD']).trim()
    const changed = git(dir, ['status', '--porcelain', '--untracked-files=all', '--', ':/'])
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.slice(3).startsWith('bench/results/'))
    return { commit, dirty: changed.length > 0, changedPaths: changed.length }
  } catch {
    return { commit: 'unknown', dirty: false, changedPaths: 0 }
  }
}

/** `5dbfe0e`, or `5dbfe0e-dirty (3 paths changed)`. */
export function revisionLabel(r: Revision): string {
  if (!r.dirty) return r.commit
  return `${r.commit}-dirty (${r.changedPaths} path${r.changedPaths === 1 ? '' : 's'} changed)`
}
