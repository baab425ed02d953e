import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'runtimes',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    testTimeout: 30_000,
    // One scenario run per runtime and server, in the hook: generous for a loaded 2-core machine.
    hookTimeout: 240_000,
  },
})
