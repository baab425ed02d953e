import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'pg-query-stream',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    // Load the built packages through Node, as an app does: one module instance of
    // @tusk/pg-compat for the tests and for this package.
    server: { deps: { external: [/packages\/pg-(compat|cursor|query-stream)\/(dist|lib)\//] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
