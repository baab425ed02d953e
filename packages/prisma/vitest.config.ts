import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'prisma',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts', './test/generate-client.ts'],
    // A zone with a non-whole-hour offset: date-times must not pass through local time.
    env: { TZ: 'Asia/Kolkata' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
