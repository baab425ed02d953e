#!/usr/bin/env node
// Runs a workspace script through the pinned pnpm, installing dependencies first, so that a fresh
// machine with only Node and npm needs nothing but `npm test` or `npm run quickstart`.
import { execFileSync, spawnSync } from 'node:child_process'

const PNPM = 'pnpm@10.34.9'
const script = process.argv[2]
if (!script) {
  console.error('usage: node scripts/bootstrap.mjs <script> [args...]')
  process.exit(2)
}

function globalPnpmMatches() {
  try {
    return (
      execFileSync('pnpm', ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() === PNPM.split('@')[1]
    )
  } catch {
    return false
  }
}

const [cmd, pre] = globalPnpmMatches() ? ['pnpm', []] : ['npx', ['-y', PNPM]]
function pnpm(args) {
  const r = spawnSync(cmd, [...pre, ...args], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

console.log(`[bootstrap] Node ${process.version}, ${PNPM}`)
pnpm(['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'])
pnpm(['run', script, ...process.argv.slice(3)])
