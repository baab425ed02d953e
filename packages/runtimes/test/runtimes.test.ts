// The scenario (src/scenario.js) run as a child process under each runtime, against each server
// of the run: one test per check and runtime, so a runtime-specific failure names its check.
// TUSK_RUNTIMES=bun (or node,deno, ...) narrows the run.

import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type TestServerInfo, testServers } from '@tusk/testkit/vitest'
import { beforeAll, describe, expect, it } from 'vitest'
import { CHECKS, type CheckName } from '../src/checks.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const scenario = path.join(here, '../src/scenario.js')
const require = createRequire(import.meta.url)
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`))

interface Runtime {
  /** The executable and the arguments before the script. */
  command: () => [string, ...string[]]
  version: string
}

/**
 * The runtimes, from the devDependencies of this package (the npm packages `bun` and `deno`,
 * whose postinstall links the binary of the platform package).
 */
const RUNTIMES: Record<string, Runtime> = {
  node: { command: () => [process.execPath], version: process.versions.node },
  bun: {
    command: () => [path.join(packageDir('bun'), 'bin/bun.exe')],
    version: require('bun/package.json').version,
  },
  deno: {
    // The permissions a Tusk application needs, no more (see README.md): network to the
    // server only, the environment (PG* variables, HOME), files (certificates, .pgpass, the
    // Unix socket directory) and the home directory's path.
    command: () => [
      path.join(packageDir('deno'), 'deno'),
      'run',
      '--no-prompt',
      '--allow-net=127.0.0.1,localhost',
      '--allow-env',
      '--allow-read',
      '--allow-sys=homedir',
    ],
    version: require('deno/package.json').version,
  },
}

/**
 * Checks that fail on a runtime because of that runtime, with the reason. Each runs as
 * `it.fails`, so the day the runtime is fixed the test fails and the entry goes.
 */
const KNOWN_FAILURES: Record<string, Partial<Record<CheckName, string>>> = {}

function selected(): string[] {
  const wanted = process.env.TUSK_RUNTIMES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (!wanted?.length) return Object.keys(RUNTIMES)
  const unknown = wanted.filter((r) => !(r in RUNTIMES))
  if (unknown.length)
    throw new Error(
      `TUSK_RUNTIMES: unknown runtime ${unknown.join(', ')} (known: ${Object.keys(RUNTIMES).join(', ')})`,
    )
  return wanted
}

interface Outcome {
  results: Map<string, { ok: boolean; error?: string }>
  exitCode: number | null
  stderr: string
  unparsed: string[]
}

function runScenario(runtime: string, server: TestServerInfo): Promise<Outcome> {
  const [file, ...args] = RUNTIMES[runtime]!.command()
  const input = {
    runtime,
    port: server.port,
    roles: { superuser: server.roles!.superuser, scram: server.roles!.scram },
    certs: {
      caCertFile: server.certs!.caCertFile,
      clientCertFile: server.certs!.clientCertFile,
      clientKeyFile: server.certs!.clientKeyFile,
    },
  }
  const child: ChildProcess = spawn(file, [...args, scenario], {
    cwd: path.join(here, '..'),
    env: { ...process.env, TUSK_SCENARIO: JSON.stringify(input), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (exitCode) => {
      const results = new Map<string, { ok: boolean; error?: string }>()
      const unparsed: string[] = []
      for (const line of stdout.split('\n').filter(Boolean)) {
        try {
          const r = JSON.parse(line) as { name: string; ok: boolean; error?: string }
          results.set(r.name, r)
        } catch {
          unparsed.push(line)
        }
      }
      resolve({ results, exitCode, stderr, unparsed })
    })
  })
}

// The scenario needs the testkit's roles and certificates: a server from DATABASE_URL has none.
const servers = testServers().filter((s) => s.roles && s.certs)
const runtimes = selected()

if (servers.length === 0) it.skip('needs a local testkit server (roles and TLS certificates)')

describe.each(servers.map((s) => [s.name, s] as const))('on %s', (_n, server) => {
  const outcomes = new Map<string, Outcome>()
  beforeAll(async () => {
    // One runtime at a time: the runs share the machine's two cores with the other projects.
    for (const runtime of runtimes) outcomes.set(runtime, await runScenario(runtime, server))
  })

  describe.each(runtimes.map((r) => [`${r} ${RUNTIMES[r]!.version}`, r] as const))(
    '%s',
    (_label, runtime) => {
      it('runs the scenario to the end', () => {
        const o = outcomes.get(runtime)!
        expect(o.unparsed, o.stderr).toEqual([])
        expect([...o.results.keys()], o.stderr).toEqual([...CHECKS])
        expect(o.exitCode, o.stderr).toBe(0)
      })
      for (const check of CHECKS) {
        const known = KNOWN_FAILURES[runtime]?.[check]
        const test = known ? it.fails : it
        test(known ? `${check} (known failure: ${known})` : check, () => {
          const r = outcomes.get(runtime)!.results.get(check)
          expect(r, `${check} did not report`).toBeDefined()
          expect(r!.error ?? null).toBeNull()
          expect(r!.ok).toBe(true)
        })
      }
    },
  )
})
