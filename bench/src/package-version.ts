/** Finds the installed version of a package from the bench package's point of view. */
import { readFileSync } from 'node:fs'
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
