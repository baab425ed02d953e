import path from 'node:path'
import type { NextConfig } from 'next'

// The repository root: the workspace packages (@tusk/*) live outside this folder, and Turbopack
// and output tracing must see them.
const root = path.resolve(import.meta.dirname, '../..')

const config: NextConfig = {
  // Loaded by Node at run time, not bundled: the driver and the ORM keep one copy per process
  // (one pool for server.ts and the app, error classes checked across it).
  serverExternalPackages: ['@tusk/core', '@tusk/drizzle', 'drizzle-orm'],
  turbopack: { root },
  outputFileTracingRoot: root,
}

export default config
