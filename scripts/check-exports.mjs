#!/usr/bin/env node
// Loads every publishable package from its built dist/ both ways, as an app would: `import` (ESM)
// and `require` (CommonJS), and checks that each `types` file of the exports map exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const root = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
)
let failed = 0
for (const dir of readdirSync(path.join(root, 'packages'))) {
  const pkgDir = path.join(root, 'packages', dir)
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
  if (pkg.private) continue
  const entry = pkg.exports['.']
  try {
    for (const cond of ['import', 'require']) {
      const types = path.join(pkgDir, entry[cond].types)
      if (!existsSync(types)) throw new Error(`${cond}: missing ${entry[cond].types}`)
    }
    const esm = await import(pathToFileURL(path.join(pkgDir, entry.import.default)).href)
    const cjs = createRequire(path.join(pkgDir, 'package.json'))(
      path.join(pkgDir, entry.require.default),
    )
    const a = Object.keys(esm)
      .filter((k) => k !== 'default')
      .sort()
      .join(',')
    const b = Object.keys(cjs).sort().join(',')
    if (a !== b) throw new Error(`ESM exports [${a}] differ from CJS exports [${b}]`)
    console.log(`ok ${pkg.name}: ${Object.keys(cjs).length} exports, ESM and CJS`)
  } catch (err) {
    failed++
    console.error(`FAIL ${pkg.name}: ${err.message}`)
  }
}
process.exit(failed ? 1 : 0)
