import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'pg-compat',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    // A zone with a non-whole-hour offset: Date parameters and results must match pg's local time.
    env: { TZ: 'Asia/Kolkata' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
