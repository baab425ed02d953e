import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'typeorm',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    // A zone with a non-whole-hour offset: local-time conversions (dates, timestamps) must match pg's.
    env: { TZ: 'Asia/Kolkata' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
