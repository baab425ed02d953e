import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'example-typeorm-nestjs',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../../packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
})
