import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'drizzle',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    // A zone with a non-whole-hour offset: local-time conversions must match node-postgres's.
    env: { TZ: 'Asia/Kolkata' },
    // The streaming test measures the heap after a collection.
    execArgv: ['--expose-gc'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
