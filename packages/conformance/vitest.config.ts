import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'conformance',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts', './src/harnesses/prisma/generate.ts'],
    // Not UTC, and not a whole-hour offset: local-time handling of dates must match pg's.
    env: { TZ: 'Asia/Kolkata' },
    // The streaming case measures RSS after a collection.
    execArgv: ['--expose-gc'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
