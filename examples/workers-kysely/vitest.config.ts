import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'example-workers-kysely',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../../packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
