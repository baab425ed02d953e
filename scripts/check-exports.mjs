#!/usr/bin/env node
// Loads every subpath of every publishable package's exports map ('.', and e.g. '@tusk/core/pg')
// from its built dist/ both ways, as an app would: `import` (ESM) and `require` (CommonJS), checks
// that both expose the same names, and that each `types` file of the exports map exists.
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
  const require = createRequire(path.join(pkgDir, 'package.json'))
  // Every subpath with import/require conditions ('.', './pg', ...); './package.json' has none.
  const subpaths = Object.entries(pkg.exports).filter(
    ([, entry]) => typeof entry === 'object' && entry !== null,
  )
  if (!subpaths.some(([subpath]) => subpath === '.')) {
    failed++
    console.error(`FAIL ${pkg.name}: no '.' entry in exports`)
  }
  for (const [subpath, entry] of subpaths) {
    const name = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`
    try {
      for (const cond of ['import', 'require']) {
        if (entry[cond]?.types === undefined || entry[cond]?.default === undefined) {
          throw new Error(`${cond}: needs both 'types' and 'default'`)
        }
        const types = path.join(pkgDir, entry[cond].types)
        if (!existsSync(types)) throw new Error(`${cond}: missing ${entry[cond].types}`)
      }
      const esm = await import(pathToFileURL(path.join(pkgDir, entry.import.default)).href)
      const cjs = require(path.join(pkgDir, entry.require.default))
      const a = Object.keys(esm)
        .filter((k) => k !== 'default')
        .sort()
        .join(',')
      // A CommonJS `default` key (pg-compat's, for `import pg from` under esModuleInterop) is the
      // ESM default export's business: Node's ESM default is module.exports itself.
      const b = Object.keys(cjs)
        .filter((k) => k !== 'default')
        .sort()
        .join(',')
      if (a !== b) throw new Error(`ESM exports [${a}] differ from CJS exports [${b}]`)
      console.log(`ok ${name}: ${Object.keys(cjs).length} exports, ESM and CJS`)
    } catch (err) {
      failed++
      console.error(`FAIL ${name}: ${err.message}`)
    }
  }
}
process.exit(failed ? 1 : 0)
