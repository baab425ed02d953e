#!/usr/bin/env node
// The public API of every publishable package, as its built declarations show it: for each entry
// of the exports map ('.', './pg', ...) writes packages/<pkg>/api/<entry>.api.d.ts, a normalized
// copy of dist/<entry>.d.ts (shared declaration chunks inlined under a marker, hashed chunk names
// and minified aliases replaced by the real names, one name per line in long export lists).
// `--check` writes nothing and fails with a diff when a committed report differs, so that the
// surface changes only on purpose. Both modes first type-check a small consumer against the built
// declarations, through the exports map, as ESM and as CommonJS: a declaration that names a type
// the build stripped (`@internal`) or left out fails there.
//
// Usage: node scripts/api-report.mjs            (write the reports; run `pnpm build` first)
//        node scripts/api-report.mjs --check    (exit 1 when a report is stale or missing)
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
)
const check = process.argv.includes('--check')
const REGENERATE = 'pnpm build && pnpm api'

/** Publishable packages: { dir, pkg, entries: [{ subpath, name, file, esm, cjs }] }. */
function packages() {
  const found = []
  for (const dir of readdirSync(path.join(root, 'packages')).sort()) {
    const pkgDir = path.join(root, 'packages', dir)
    const pkgFile = path.join(pkgDir, 'package.json')
    if (!existsSync(pkgFile)) continue
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
    if (pkg.private) continue
    const entries = Object.entries(pkg.exports ?? {})
      .filter(([, entry]) => typeof entry === 'object' && entry !== null)
      .map(([subpath, entry]) => ({
        subpath,
        name: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
        // '.' → index.api.d.ts, './pg' → pg.api.d.ts
        file: `${subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-')}.api.d.ts`,
        // Per-runtime conditions (@tusk/core's '.'): the node entry's declarations, which bun and
        // deno share; workerd's (neutral.d.ts) is derived from them at build time.
        esm: (entry.node ?? entry).import?.types,
        cjs: (entry.node ?? entry).require?.types,
      }))
    found.push({ dir, pkgDir, pkg, entries })
  }
  return found
}

/** A relative import of a declaration chunk: `./registry-5_MJekkI.js` → `registry`. */
const CHUNK = /^\.\/(.+?)-[A-Za-z0-9_-]{8}\.(?:js|cjs|mjs)$/

/** `{ a as B, type c }` → [{ type, imported, local }]. */
function parseSpecifiers(list) {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const type = s.startsWith('type ')
      const [imported, local = imported] = s.replace(/^type /, '').split(/\s+as\s+/)
      return { type, imported, local }
    })
}

function formatSpecifiers(specs) {
  return specs
    .map(({ type, imported, local }) =>
      `${type ? 'type ' : ''}${imported === local ? imported : `${imported} as ${local}`}`.trim(),
    )
    .join(', ')
}

/** The chunk's own export list, as alias → real name, and its text without that list. */
function readChunk(file) {
  const text = readFileSync(file, 'utf8')
  const match = /\nexport \{([^}]*)\};\s*$/.exec(text)
  const aliases = new Map()
  if (!match) return { aliases, body: text }
  for (const { imported, local } of parseSpecifiers(match[1])) aliases.set(local, imported)
  return { aliases, body: text.slice(0, match.index + 1), exported: parseSpecifiers(match[1]) }
}

/**
 * The normalized report of one declaration file: chunk imports renamed to real names and stable
 * module names, the chunks appended, sourcemap comments dropped, long export lists one per line.
 */
function normalize(file, heading) {
  const dir = path.dirname(file)
  const chunks = new Map()
  const rewrite = (text) =>
    text.replace(/^(import|export) \{([^}]*)\} from '([^']+)';$/gm, (line, kind, list, source) => {
      const chunk = CHUNK.exec(source)
      if (!chunk) return line
      // `./registry-5_MJekkI.js` is declared by `./registry-5_MJekkI.d.ts` (`.cjs` by `.d.cts`).
      const declarations = path.join(dir, source.replace(/\.(c|m)?js$/, '.d.$1ts'))
      if (!chunks.has(chunk[1])) chunks.set(chunk[1], readChunk(declarations))
      const { aliases } = chunks.get(chunk[1])
      const specs = parseSpecifiers(list).map((s) => ({
        ...s,
        imported: aliases.get(s.imported) ?? s.imported,
      }))
      return `${kind} { ${formatSpecifiers(specs)} } from './${chunk[1]}.js';`
    })
  let out = `${heading}\n\n${rewrite(readFileSync(file, 'utf8'))}`
  for (const [name, chunk] of [...chunks].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const exported = formatSpecifiers(
      (chunk.exported ?? []).map((s) => ({ ...s, local: s.imported })),
    )
    out += `\n// ---- shared declarations: ./${name}.js ----\n\n${rewrite(chunk.body)}`
    out += exported ? `export { ${exported} };\n` : ''
  }
  return (
    out
      .replace(/\r\n/g, '\n')
      .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
      .replace(/[ \t]+$/gm, '')
      // One exported name per line: a change to the surface is then a one-line diff.
      .replace(/^(\s*)export \{([^}\n]{80,})\};?$/gm, (_m, indent, list) => {
        const names = list
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        return `${indent}export {\n${names.map((n) => `${indent}  ${n},`).join('\n')}\n${indent}};`
      })
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  )
}

/**
 * Line diff of a and b (common prefix and suffix trimmed, LCS in between): `- n: line` for a line
 * of a (line n of a) that b lacks, `+ n: line` for a line of b (line n of b) that a lacks.
 */
function diffLines(a, b) {
  const x = a.split('\n')
  const y = b.split('\n')
  let start = 0
  while (start < x.length && start < y.length && x[start] === y[start]) start++
  let endX = x.length
  let endY = y.length
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--
    endY--
  }
  const xs = x.slice(start, endX)
  const ys = y.slice(start, endY)
  const out = []
  if (xs.length * ys.length > 4_000_000) {
    for (const [i, l] of xs.entries()) out.push(`- ${start + i + 1}: ${l}`)
    for (const [i, l] of ys.entries()) out.push(`+ ${start + i + 1}: ${l}`)
    return out
  }
  const lcs = Array.from({ length: xs.length + 1 }, () => new Uint32Array(ys.length + 1))
  for (let i = xs.length - 1; i >= 0; i--) {
    for (let j = ys.length - 1; j >= 0; j--) {
      lcs[i][j] = xs[i] === ys[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }
  let i = 0
  let j = 0
  while (i < xs.length || j < ys.length) {
    if (i < xs.length && j < ys.length && xs[i] === ys[j]) {
      i++
      j++
    } else if (j < ys.length && (i === xs.length || lcs[i][j + 1] > lcs[i + 1][j])) {
      out.push(`+ ${start + j + 1}: ${ys[j++]}`)
    } else {
      out.push(`- ${start + i + 1}: ${xs[i++]}`)
    }
  }
  return out
}

/**
 * Type-checks `import`/`require` of every entry from a scratch project that sees the packages
 * only through node_modules links (so the exports map and its conditions decide what resolves).
 * Returns the diagnostics, formatted.
 */
function typecheckConsumer(all) {
  const ts = createRequire(path.join(root, 'package.json'))('typescript')
  const dir = mkdtempSync(path.join(tmpdir(), 'tusk-api-consumer-'))
  try {
    mkdirSync(path.join(dir, 'node_modules', '@tusk'), { recursive: true })
    const esm = []
    const cjs = []
    for (const { pkgDir, pkg, entries } of all) {
      symlinkSync(pkgDir, path.join(dir, 'node_modules', pkg.name), 'dir')
      for (const [i, { name }] of entries.entries()) {
        const id = `${pkg.name.replace(/\W/g, '_')}${i}`
        esm.push(`import * as ${id} from '${name}'`, `export type ${id}Api = typeof ${id}`)
        cjs.push(`import ${id} = require('${name}')`, `export type ${id}Api = typeof ${id}`)
      }
    }
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n')
    writeFileSync(path.join(dir, 'esm.mts'), `${esm.join('\n')}\n`)
    writeFileSync(path.join(dir, 'cjs.cts'), `${cjs.join('\n')}\n`)
    const options = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      strict: true,
      noEmit: true,
      // Checked file by file below: only the consumer and our own declarations.
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')],
    }
    const program = ts.createProgram(
      [path.join(dir, 'esm.mts'), path.join(dir, 'cjs.cts')],
      options,
    )
    const ours = (f) =>
      f.fileName.startsWith(dir) ||
      all.some(({ pkgDir }) => path.resolve(f.fileName).startsWith(path.join(pkgDir, 'dist')))
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program
        .getSourceFiles()
        .filter(ours)
        .flatMap((f) => [
          ...program.getSyntacticDiagnostics(f),
          ...program.getSemanticDiagnostics(f),
        ]),
    ]
    const checked = program.getSourceFiles().filter(ours).length
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    })
    return { checked, text: text.replaceAll(dir, '<consumer>') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

let failed = 0
const all = packages()

const consumer = typecheckConsumer(all)
if (consumer.text) {
  failed++
  console.error(`FAIL consumer type-check (ESM and CJS) against the built declarations:`)
  console.error(consumer.text)
} else {
  console.log(`ok consumer type-check: ${consumer.checked} files, ESM and CJS, no errors`)
}

for (const { dir, pkgDir, pkg, entries } of all) {
  for (const entry of entries) {
    const rel = path.join('packages', dir, 'api', entry.file)
    if (!entry.esm || !entry.cjs) {
      failed++
      console.error(`FAIL ${entry.name}: the exports map needs 'types' under import and require`)
      continue
    }
    const esmFile = path.join(pkgDir, entry.esm)
    const cjsFile = path.join(pkgDir, entry.cjs)
    if (!existsSync(esmFile) || !existsSync(cjsFile)) {
      failed++
      console.error(
        `FAIL ${entry.name}: ${entry.esm} or ${entry.cjs} is not built (run pnpm build)`,
      )
      continue
    }
    const heading =
      `// API report of ${entry.name} (${pkg.name} exports '${entry.subpath}'), from ${entry.esm}.\n` +
      `// Generated by scripts/api-report.mjs: do not edit; regenerate with \`${REGENERATE}\`.`
    const report = normalize(esmFile, heading)
    // The CommonJS declarations must say the same (they differ only in chunk file extensions).
    const cjsReport = normalize(cjsFile, heading)
    if (cjsReport !== report) {
      failed++
      console.error(`FAIL ${entry.name}: ${entry.cjs} declares something else than ${entry.esm}`)
      for (const line of diffLines(report, cjsReport).slice(0, 40)) console.error(`  ${line}`)
      continue
    }
    const target = path.join(root, rel)
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined
    if (current === report) {
      console.log(`ok ${entry.name}: ${rel} is up to date`)
      continue
    }
    if (!check) {
      mkdirSync(path.dirname(target), { recursive: true })
      writeFileSync(target, report)
      console.log(`wrote ${rel}`)
      continue
    }
    failed++
    if (current === undefined) {
      console.error(`FAIL ${entry.name}: ${rel} is missing`)
      continue
    }
    const lines = diffLines(current, report)
    const added = lines.filter((l) => l.startsWith('+')).length
    console.error(
      `FAIL ${entry.name}: the public API differs from ${rel} ` +
        `(+${added} -${lines.length - added} lines; - is the committed report, + the build):`,
    )
    for (const line of lines.slice(0, 80)) console.error(`  ${line}`)
    if (lines.length > 80) console.error(`  ... and ${lines.length - 80} more`)
  }
}

if (failed && check) {
  console.error(
    `\n${failed} problem(s). If the change is intended, regenerate with \`${REGENERATE}\` and commit packages/*/api/.`,
  )
}
process.exit(failed ? 1 : 0)
