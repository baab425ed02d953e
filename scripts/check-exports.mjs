#!/usr/bin/env node
// Loads every subpath of every publishable package's exports map ('.', and e.g. '@tusk/core/pg')
// from its built dist/ both ways, as an app would: `import` (ESM) and `require` (CommonJS), checks
// that both expose the same names, and that each `types` file of the exports map exists. Per-runtime
// conditions (@tusk/core's '.') are each checked, and must export what the `node` one does.
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
    // An entry is { import, require } itself, or per-runtime conditions (@tusk/core's '.':
    // workerd, bun, deno, node, default), each { import, require } or { types, default }.
    // The node entry first: the others must export the same names.
    const variants =
      'import' in entry || 'require' in entry
        ? [['', entry]]
        : Object.entries(entry).sort(([a], [b]) => Number(b === 'node') - Number(a === 'node'))
    if (variants.length > 1 && !variants.some(([cond]) => cond === 'node')) {
      failed++
      console.error(`FAIL ${name}: per-runtime conditions without a 'node' one`)
    }
    let nodeNames
    for (const [runtime, target] of variants) {
      const label = runtime ? `${name} [${runtime}]` : name
      try {
        if (!('import' in target) && !('require' in target)) {
          // One ES module for every way of loading it (workerd, default).
          for (const key of ['types', 'default']) {
            if (target[key] === undefined) throw new Error(`needs both 'types' and 'default'`)
            if (!existsSync(path.join(pkgDir, target[key])))
              throw new Error(`missing ${target[key]}`)
          }
          // workerd.js imports cloudflare:sockets, which only workerd has (test/workerd/ loads it).
          if (runtime === 'workerd') {
            console.log(`ok ${label}: ${target.default} and ${target.types} exist`)
            continue
          }
          const esm = await import(pathToFileURL(path.join(pkgDir, target.default)).href)
          const names = Object.keys(esm).sort().join(',')
          if (nodeNames !== undefined && names !== nodeNames)
            throw new Error(`exports [${names}] differ from the node entry's [${nodeNames}]`)
          console.log(`ok ${label}: ${Object.keys(esm).length} exports, ESM`)
          continue
        }
        for (const cond of ['import', 'require']) {
          if (target[cond]?.types === undefined || target[cond]?.default === undefined) {
            throw new Error(`${cond}: needs both 'types' and 'default'`)
          }
          const types = path.join(pkgDir, target[cond].types)
          if (!existsSync(types)) throw new Error(`${cond}: missing ${target[cond].types}`)
        }
        const esm = await import(pathToFileURL(path.join(pkgDir, target.import.default)).href)
        const cjs = require(path.join(pkgDir, target.require.default))
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
        if (runtime === 'node') nodeNames = a
        else if (nodeNames !== undefined && a !== nodeNames)
          throw new Error(`exports [${a}] differ from the node entry's [${nodeNames}]`)
        console.log(`ok ${label}: ${Object.keys(cjs).length} exports, ESM and CJS`)
      } catch (err) {
        failed++
        console.error(`FAIL ${label}: ${err.message}`)
      }
    }
  }
}
process.exit(failed ? 1 : 0)
