#!/usr/bin/env node
// Packs every publishable package as it would be published (`pnpm pack`, which turns `workspace:*`
// into real versions), installs the tarballs with plain npm into a fresh app outside the
// workspace, and checks what a user gets: the tarballs' package.json carry no workspace protocol,
// every source map points at files the tarball ships, ESM and CommonJS both load and run
// `select 1` against a real server, and the types resolve under TypeScript's node16, nodenext and
// bundler resolution. Runs on the Node that runs it; expects built packages (`pnpm pack:smoke`
// builds them first). `--keep` leaves the temp folder (tarballs, app) for a look.
//
// Server: DATABASE_URL when set, else one the testkit starts (TUSK_PG_SOURCES narrows the choice).
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const PNPM = 'pnpm@10.34.9'
const root = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
)
const keep = process.argv.includes('--keep')
const work = mkdtempSync(path.join(os.tmpdir(), 'tusk-pack-smoke-'))
// Children run on the Node that runs this script (npm's own shebang picks `node` from PATH).
const env = {
  ...process.env,
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
}
let failures = 0

function step(title) {
  console.log(`\n--- ${title}`)
}
function ok(message) {
  console.log(`ok ${message}`)
}
function fail(message) {
  failures++
  console.error(`FAIL ${message}`)
}
function run(cmd, args, cwd, options = {}) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', ...options })
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}\n${r.stdout ?? ''}${r.stderr ?? ''}`,
    )
  }
  return r.stdout ?? ''
}
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** Publishable packages: every packages/* without `private: true`. */
function publishable() {
  return readdirSync(path.join(root, 'packages'))
    .map((dir) => ({ dir: path.join(root, 'packages', dir) }))
    .filter(({ dir }) => existsSync(path.join(dir, 'package.json')))
    .map(({ dir }) => ({ dir, pkg: readJson(path.join(dir, 'package.json')) }))
    .filter(({ pkg }) => !pkg.private)
}

/** Workspace package name → version, for checking what `workspace:*` became. */
function workspaceVersions() {
  const versions = new Map()
  for (const base of ['packages', 'examples']) {
    for (const dir of readdirSync(path.join(root, base))) {
      const file = path.join(root, base, dir, 'package.json')
      if (existsSync(file)) {
        const pkg = readJson(file)
        versions.set(pkg.name, pkg.version)
      }
    }
  }
  return versions
}

/** Packs one package; returns the tarball and the folder it was unpacked into. */
function pack({ dir, pkg }) {
  const dest = path.join(work, 'tarballs')
  mkdirSync(dest, { recursive: true })
  const before = new Set(readdirSync(dest))
  run('npx', ['-y', PNPM, 'pack', '--pack-destination', dest], dir)
  const made = readdirSync(dest).filter((f) => f.endsWith('.tgz') && !before.has(f))
  if (made.length !== 1) throw new Error(`${pkg.name}: expected one new tarball, got [${made}]`)
  const tarball = path.join(dest, made[0])
  const unpacked = path.join(work, 'unpacked', pkg.name.replace('/', '__'))
  mkdirSync(unpacked, { recursive: true })
  run('tar', ['-xzf', tarball, '-C', unpacked], work)
  return { tarball, unpackedDir: path.join(unpacked, 'package') }
}

/** No `workspace:` left, and each internal dependency pinned to that package's version. */
function checkManifest(name, unpackedDir, versions) {
  const manifest = readJson(path.join(unpackedDir, 'package.json'))
  const fields = ['dependencies', 'peerDependencies', 'optionalDependencies']
  let clean = true
  for (const field of fields) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) {
        fail(`${name}: ${field}.${dep} is still "${range}" in the tarball`)
        clean = false
      } else if (versions.has(dep) && range !== versions.get(dep)) {
        fail(`${name}: ${field}.${dep} is "${range}", the workspace has ${versions.get(dep)}`)
        clean = false
      }
    }
  }
  if (clean) {
    const internal = Object.entries(manifest.dependencies ?? {})
      .filter(([dep]) => versions.has(dep))
      .map(([dep, range]) => `${dep}@${range}`)
    ok(
      `${name}: package.json has no workspace: ranges (${internal.join(', ') || 'no internal deps'})`,
    )
  }
  return manifest
}

/** Every file named by `main`, `types` and the exports map is in the tarball. */
function checkEntryPoints(name, unpackedDir, manifest) {
  const targets = new Set([manifest.main, manifest.module, manifest.types].filter(Boolean))
  const walk = (entry) => {
    if (typeof entry === 'string') targets.add(entry)
    else if (entry !== null && typeof entry === 'object') Object.values(entry).forEach(walk)
  }
  walk(manifest.exports)
  const missing = [...targets].filter((t) => !existsSync(path.join(unpackedDir, t)))
  if (missing.length > 0) {
    fail(`${name}: the tarball lacks ${missing.join(', ')} (is the package built? pnpm build)`)
  } else {
    ok(`${name}: all ${targets.size} entry points of main/types/exports are in the tarball`)
  }
}

/** Every file in a folder, as paths relative to it. */
function listFiles(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(prefix, entry.name)
    return entry.isDirectory() ? listFiles(dir, rel) : [rel]
  })
}

/** Each `.map` names sources the tarball ships, so stack frames and debuggers land on real files. */
function checkSourceMaps(name, unpackedDir) {
  const maps = listFiles(unpackedDir).filter((f) => f.endsWith('.map'))
  let sources = 0
  let missing = 0
  for (const rel of maps) {
    const map = readJson(path.join(unpackedDir, rel))
    map.sources.forEach((source, i) => {
      sources++
      const target = path.resolve(path.dirname(path.join(unpackedDir, rel)), source)
      const inside = !path.relative(unpackedDir, target).startsWith('..')
      if (!inside || !existsSync(target)) {
        const embedded = typeof map.sourcesContent?.[i] === 'string'
        missing++
        fail(
          `${name}: ${rel} points at ${source}, which the tarball does not ship` +
            (embedded ? ' (its text is embedded, but stack frames name a missing file)' : ''),
        )
      }
    })
  }
  if (maps.length === 0) fail(`${name}: the tarball ships no source maps`)
  else if (missing === 0) {
    ok(`${name}: ${maps.length} source maps, ${sources} sources, all shipped in the tarball`)
  }
}

/** DATABASE_URL, or a server started through the testkit (TypeScript source, loaded with tsx). */
async function startServer() {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, label: 'DATABASE_URL', stop: async () => {} }
  }
  const { tsImport } = await import('tsx/esm/api')
  const testkit = pathToFileURL(path.join(root, 'packages/testkit/src/index.ts')).href
  const { serverMatrix, startPostgres } = await tsImport(testkit, import.meta.url)
  const [first] = await serverMatrix()
  if (first === undefined) throw new Error('no PostgreSQL available: set DATABASE_URL')
  const server = await startPostgres({ source: first.source })
  return {
    url: server.url,
    label: `PostgreSQL ${server.version} (${server.source}, testkit)`,
    stop: () => server.stop(),
  }
}

const ESM_SMOKE = `import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createPool, errors, sql } from '@tusk/core'
import { pgTypes } from '@tusk/core/pg'
import { TuskDialect } from '@tusk/kysely-dialect'
import { TuskClient } from '@tusk/knex'
import { drizzle, iterate } from '@tusk/drizzle'
import { migrate } from '@tusk/drizzle/migrator'
import { DrizzleQueryError, sql as dsql } from 'drizzle-orm'
import { PrismaTusk, TuskDriverAdapterError } from '@tusk/prisma'
import knex from 'knex'
import { Kysely, sql as ksql } from 'kysely'

assert.equal(typeof pgTypes, 'object')
// Run with --enable-source-maps: frames inside the package name the .ts files it ships.
let configError
try {
  createPool('postgres://localhost/app?no_such_param=1')
} catch (err) {
  configError = err
}
assert.ok(configError instanceof errors.ConfigError)
const frames = [...configError.stack.matchAll(/\\(([^()]+):\\d+:\\d+\\)/g)]
  .map((m) => m[1])
  .filter((file) => file.includes('@tusk'))
assert.ok(frames.some((file) => file.endsWith('.ts')), configError.stack)
for (const file of frames) assert.ok(existsSync(file), \`a stack frame names a missing file: \${file}\`)
const pool = createPool(process.env.DATABASE_URL, { max: 2 })
try {
  const { rows } = await pool.query('select 1 as one')
  assert.deepEqual(rows, [{ one: 1 }])
  const two = await pool.queryOne(sql\`select \${2}::int4 as two\`)
  assert.deepEqual(two, { two: 2 })
  await assert.rejects(pool.query('select * from no_such_table'), errors.UndefinedTable)
} finally {
  await pool.end()
}
const db = new Kysely({ dialect: new TuskDialect({ conninfo: process.env.DATABASE_URL }) })
try {
  const { rows } = await ksql\`select 1 as one\`.execute(db)
  assert.deepEqual(rows, [{ one: 1 }])
} finally {
  await db.destroy()
}
const kx = knex({ client: TuskClient, connection: process.env.DATABASE_URL })
try {
  const { rows } = await kx.raw('select ?::int4 as one', [1])
  assert.deepEqual(rows, [{ one: 1 }])
  await assert.rejects(kx('no_such_table'), errors.UndefinedTable)
} finally {
  await kx.destroy()
}
const dz = drizzle(process.env.DATABASE_URL)
try {
  const { rows } = await dz.execute(dsql\`select \${1}::int4 as one\`)
  assert.deepEqual(rows, [{ one: 1 }])
  await assert.rejects(
    dz.execute(dsql\`select * from no_such_table\`),
    (err) => err instanceof DrizzleQueryError && err.cause instanceof errors.UndefinedTable,
  )
  let streamed = 0
  for await (const _ of iterate(dz, 'select generate_series(1, 3)')) streamed++
  assert.equal(streamed, 3)
  assert.equal(typeof migrate, 'function')
} finally {
  await dz.$client.end()
}
const prisma = await new PrismaTusk(process.env.DATABASE_URL).connect()
try {
  const bigint = { scalarType: 'bigint', arity: 'scalar' }
  const { rows } = await prisma.queryRaw({ sql: 'select $1::int8 as one', args: ['1'], argTypes: [bigint] })
  assert.deepEqual(rows, [['1']])
  await assert.rejects(
    prisma.queryRaw({ sql: 'select * from no_such_table', args: [], argTypes: [] }),
    (err) => err instanceof TuskDriverAdapterError && err.original instanceof errors.UndefinedTable,
  )
} finally {
  await prisma.dispose()
}
console.log(\`esm: @tusk/core, @tusk/kysely-dialect, @tusk/knex, @tusk/drizzle and @tusk/prisma ran select 1; \${frames.length} stack frames in shipped files\`)
`

const CJS_SMOKE = `const assert = require('node:assert/strict')
const { createPool, errors } = require('@tusk/core')
const { pgTypes } = require('@tusk/core/pg')
const { TuskDialect } = require('@tusk/kysely-dialect')
const { TuskClient } = require('@tusk/knex')
const { drizzle } = require('@tusk/drizzle')
const { migrate } = require('@tusk/drizzle/migrator')
const { sql: dsql } = require('drizzle-orm')
const { PrismaTusk } = require('@tusk/prisma')
const knex = require('knex')
const { Kysely, sql } = require('kysely')

async function main() {
  assert.equal(typeof pgTypes, 'object')
  const pool = createPool(process.env.DATABASE_URL, { max: 2 })
  try {
    const { rows } = await pool.query('select 1 as one')
    assert.deepEqual(rows, [{ one: 1 }])
    // An app can load both builds; either copy's class matches the error (Symbol.for brand).
    const esm = await import('@tusk/core')
    await assert.rejects(
      pool.query('select * from no_such_table'),
      (err) => err instanceof errors.UndefinedTable && err instanceof esm.errors.UndefinedTable,
    )
  } finally {
    await pool.end()
  }
  const db = new Kysely({ dialect: new TuskDialect({ conninfo: process.env.DATABASE_URL }) })
  try {
    const { rows } = await sql\`select 1 as one\`.execute(db)
    assert.deepEqual(rows, [{ one: 1 }])
  } finally {
    await db.destroy()
  }
  const kx = knex({ client: TuskClient, connection: process.env.DATABASE_URL })
  try {
    const { rows } = await kx.raw('select ?::int4 as one', [1])
    assert.deepEqual(rows, [{ one: 1 }])
  } finally {
    await kx.destroy()
  }
  const dz = drizzle(process.env.DATABASE_URL)
  try {
    const { rows } = await dz.execute(dsql\`select \${1}::int4 as one\`)
    assert.deepEqual(rows, [{ one: 1 }])
    assert.equal(typeof migrate, 'function')
  } finally {
    await dz.$client.end()
  }
  const prisma = await new PrismaTusk(process.env.DATABASE_URL).connect()
  try {
    const { rows, columnNames } = await prisma.queryRaw({ sql: 'select 1 as one', args: [], argTypes: [] })
    assert.deepEqual([columnNames, rows], [['one'], [[1]]])
  } finally {
    await prisma.dispose()
  }
  console.log('cjs: @tusk/core, @tusk/kysely-dialect, @tusk/knex, @tusk/drizzle and @tusk/prisma ran select 1; instanceof holds across ESM and CJS')
}
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
`

// Type consumers: each line fails to compile if a declaration is missing or resolves to `any`.
const CORE_TYPES = `
const pool: Pool = createPool('postgres://localhost/app', { max: 2 })
const result: Promise<QueryResult<{ one: number }>> = pool.query<{ one: number }>('select 1 as one')
void result
// @ts-expect-error: max is a number
createPool('postgres://localhost/app', { max: 'two' })
const isTyped: boolean = new Error('x') instanceof errors.UniqueViolation
void isTyped
void pgTypes
`
const KYSELY_TYPES = `
const db = new Kysely<{ t: { id: number } }>({
  dialect: new TuskDialect({ conninfo: 'postgres://localhost/app' }),
})
void db
// @ts-expect-error: conninfo is a string or options, not a number
new TuskDialect({ conninfo: 42 })
`
const KNEX_TYPES = `
const kx: Knex = knex({ client: TuskClient, connection: 'postgres://localhost/app' })
void kx
const config: TuskKnexConfig = { client: TuskClient, tusk: { healthCheck: false } }
void config
// @ts-expect-error: healthCheck is a number or false
const wrong: TuskKnexConfig = { client: TuskClient, tusk: { healthCheck: 'often' } }
void wrong
`
const DRIZZLE_TYPES = `
const dz = drizzle('postgres://localhost/app')
const ended: Promise<void> = dz.$client.end()
void ended
const streamed: AsyncGenerator<Record<string, unknown>, void, undefined> = iterate(dz, 'select 1')
void streamed
void migrate
// @ts-expect-error: a client must be a @tusk/core Pool or Session
drizzle({ client: 42 })
`
const PRISMA_TYPES = `
const factory: SqlMigrationAwareDriverAdapterFactory = new PrismaTusk('postgres://localhost/app', {
  schema: 'app',
  pool: { max: 4 },
})
void factory
const adapter: Promise<SqlDriverAdapter> = factory.connect()
void adapter
const original: Error = new TuskDriverAdapterError({ kind: 'TransactionWriteConflict' }, new Error('x')).original
void original
// @ts-expect-error: the schema is a name
new PrismaTusk('postgres://localhost/app', { schema: 1 })
`
const PRISMA_IMPORTS = `import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { PrismaTusk, TuskDriverAdapterError } from '@tusk/prisma'
`
const DRIZZLE_IMPORTS = `import { drizzle, iterate } from '@tusk/drizzle'
import { migrate } from '@tusk/drizzle/migrator'
`
const KNEX_IMPORTS = `import { TuskClient, type TuskKnexConfig } from '@tusk/knex'
import knex, { type Knex } from 'knex'
`
const IMPORTS = `import { createPool, errors, type Pool, type QueryResult } from '@tusk/core'
import { pgTypes } from '@tusk/core/pg'
`
const KYSELY_IMPORTS = `import { TuskDialect } from '@tusk/kysely-dialect'
import { Kysely } from 'kysely'
`
// Kysely 0.29 ships ESM only: a CommonJS file can import it only where `require(esm)` exists
// (Node 20.19+; TypeScript's `nodenext` and `bundler`), so the node16 CommonJS consumer uses core.
const CONSUMERS = {
  'types.mts': `${IMPORTS}${KYSELY_IMPORTS}${KNEX_IMPORTS}${PRISMA_IMPORTS}${CORE_TYPES}${KYSELY_TYPES}${KNEX_TYPES}${PRISMA_TYPES}`,
  'types.cts': `${IMPORTS}${KYSELY_IMPORTS}${KNEX_IMPORTS}${PRISMA_IMPORTS}${CORE_TYPES}${KYSELY_TYPES}${KNEX_TYPES}${PRISMA_TYPES}export {}\n`,
  'types-core.cts': `${IMPORTS}${KNEX_IMPORTS}${PRISMA_IMPORTS}${CORE_TYPES}${KNEX_TYPES}${PRISMA_TYPES}export {}\n`,
  'types-drizzle.mts': `${DRIZZLE_IMPORTS}${DRIZZLE_TYPES}`,
  'types-drizzle.cts': `${DRIZZLE_IMPORTS}${DRIZZLE_TYPES}export {}\n`,
}
// drizzle-orm 0.45's own declarations do not compile with skipLibCheck off (its sqlite-core and
// CommonJS .d.cts files fail under every resolution), so its consumer is checked with
// skipLibCheck on; the consumer's own lines are still checked against our declarations.
const TYPE_CHECKS = [
  { module: 'node16', moduleResolution: 'node16', files: ['types.mts', 'types-core.cts'] },
  { module: 'nodenext', moduleResolution: 'nodenext', files: ['types.mts', 'types.cts'] },
  { module: 'preserve', moduleResolution: 'bundler', files: ['types.mts', 'types.cts'] },
  ...['node16', 'nodenext'].map((resolution) => ({
    module: resolution,
    moduleResolution: resolution,
    files: ['types-drizzle.mts', 'types-drizzle.cts'],
    skipLibCheck: true,
  })),
  {
    module: 'preserve',
    moduleResolution: 'bundler',
    files: ['types-drizzle.mts', 'types-drizzle.cts'],
    skipLibCheck: true,
  },
]

function tsconfig({ module, moduleResolution, files, skipLibCheck = false }) {
  return JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module,
        moduleResolution,
        strict: true,
        noEmit: true,
        skipLibCheck,
        types: ['node'],
      },
      files,
    },
    null,
    2,
  )
}

async function main() {
  console.log(`pack smoke on Node ${process.version}, in ${work}`)
  const packages = publishable()
  const versions = workspaceVersions()

  step(`pack ${packages.map(({ pkg }) => pkg.name).join(', ')} with ${PNPM}`)
  const tarballs = []
  const peers = new Map()
  for (const entry of packages) {
    const { tarball, unpackedDir } = pack(entry)
    ok(`${entry.pkg.name}: ${path.basename(tarball)}`)
    const manifest = checkManifest(entry.pkg.name, unpackedDir, versions)
    checkEntryPoints(entry.pkg.name, unpackedDir, manifest)
    checkSourceMaps(entry.pkg.name, unpackedDir)
    tarballs.push(tarball)
    // Peers at the version the workspace tests against (the package's own devDependency).
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      const tested = entry.pkg.devDependencies?.[peer]
      peers.set(peer, tested ? `${peer}@${tested}` : peer)
    }
  }

  step('install the tarballs with npm into a fresh app outside the workspace')
  const app = path.join(work, 'app')
  mkdirSync(app)
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'tusk-pack-smoke-app', version: '1.0.0', private: true }, null, 2)}\n`,
  )
  const typesNode = readJson(path.join(root, 'package.json')).devDependencies['@types/node']
  const installs = [...tarballs, ...peers.values(), `@types/node@${typesNode}`]
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...installs], app)
  const lock = readJson(path.join(app, 'package-lock.json'))
  for (const { pkg } of packages) {
    const resolved = lock.packages?.[`node_modules/${pkg.name}`]?.resolved ?? ''
    if (!resolved.startsWith('file:')) {
      fail(`${pkg.name}: npm resolved it to "${resolved}", not the packed tarball`)
    }
  }
  const nested = Object.keys(lock.packages ?? {}).filter(
    (key) => key.includes('/node_modules/@tusk/') || key.includes('node_modules/@tusk/core/'),
  )
  if (nested.length > 0) fail(`a second copy of a Tusk package was installed: ${nested.join(', ')}`)
  ok(`npm installed ${installs.map((i) => (i.endsWith('.tgz') ? path.basename(i) : i)).join(', ')}`)

  step('types resolve (tsc --noEmit, strict, skipLibCheck off but for the Drizzle consumer)')
  for (const [file, text] of Object.entries(CONSUMERS)) writeFileSync(path.join(app, file), text)
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc')
  for (const check of TYPE_CHECKS) {
    const config = `tsconfig.${check.moduleResolution}${check.skipLibCheck ? '.skiplib' : ''}.json`
    writeFileSync(path.join(app, config), tsconfig(check))
    const what = `moduleResolution ${check.moduleResolution} (module ${check.module}${check.skipLibCheck ? ', skipLibCheck' : ''})`
    try {
      run(process.execPath, [tsc, '-p', config], app)
      ok(`${what}: ${check.files.join(', ')} compile`)
    } catch (err) {
      fail(`${what}: ${err.message}`)
    }
  }

  step('ESM and CommonJS load and query a real server')
  writeFileSync(path.join(app, 'smoke.mjs'), ESM_SMOKE)
  writeFileSync(path.join(app, 'smoke.cjs'), CJS_SMOKE)
  const server = await startServer()
  console.log(`server: ${server.label}`)
  try {
    for (const file of ['smoke.mjs', 'smoke.cjs']) {
      try {
        const out = run(process.execPath, ['--enable-source-maps', file], app, {
          env: { ...env, DATABASE_URL: server.url },
          timeout: 60_000,
        })
        ok(out.trim())
      } catch (err) {
        fail(`${file}: ${err.message}`)
      }
    }
  } finally {
    await server.stop()
  }
}

try {
  await main()
} catch (err) {
  fail(err instanceof Error ? err.message : String(err))
} finally {
  if (keep) console.log(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
console.log(failures ? `\n${failures} check(s) failed` : '\npack smoke passed')
process.exit(failures ? 1 : 0)
