import { defineConfig } from 'vitest/config'

// One vitest run for the whole workspace: every package with a vitest.config.ts is a project.
// The global setup starts the PostgreSQL servers once per run and hands their URLs to the tests.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
    reporters: ['default'],
  },
})
