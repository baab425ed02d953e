import { defineConfig } from 'vitest/config'

// One vitest run for the whole workspace: every package (and example) with a vitest.config.ts is
// a project. The global setup starts the PostgreSQL servers once per run and hands their URLs to
// the tests. The conformance reporter prints the adapter × server matrix at the end.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
    reporters: ['default', './packages/conformance/src/matrix-reporter.ts'],
  },
})
