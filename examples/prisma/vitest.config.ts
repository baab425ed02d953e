import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'example-prisma',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../../packages/testkit/src/global-setup.ts', './test/generate.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
