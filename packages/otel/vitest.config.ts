import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'otel',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
