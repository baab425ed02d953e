/** Finds the installed version of a package from the bench package's point of view. */
import { readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** `name version` of the package `name` as installed for bench/, or `name ?` when unknown. */
export function packageVersion(name: string): string {
  try {
    let dir = path.dirname(require.resolve(name))
    for (;;) {
      const file = path.join(dir, 'package.json')
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
        if (pkg.name === name && pkg.version) return `${name} ${pkg.version}`
      } catch {}
      const up = path.dirname(dir)
      if (up === dir) break
      dir = up
    }
  } catch {}
  return `${name} ?`
}

/**
 * Throws unless `peer` resolves to the same file from bench/ and from `adapter`'s package. Two
 * copies of an ORM (pnpm makes one per set of resolved optional peers) break its `instanceof`
 * checks between the copy the workload's schema comes from and the copy the adapter runs, and the
 * ORM then takes slower paths on every row: the adapter would be measured on a setup no user has.
 */
export function assertOneCopy(adapter: string, peer: string): void {
  const fromBench = realpathSync(require.resolve(peer))
  const adapterDir = realpathSync(path.dirname(require.resolve(adapter)))
  const fromAdapter = realpathSync(createRequire(path.join(adapterDir, 'x.js')).resolve(peer))
  if (fromBench !== fromAdapter) {
    throw new Error(
      `two copies of ${peer}: bench/ loads ${fromBench}, ${adapter} loads ${fromAdapter}; align the optional peers bench/package.json pins with the adapter's`,
    )
  }
}
