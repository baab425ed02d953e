import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'pg-compat',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../testkit/src/global-setup.ts'],
    // A zone with a non-whole-hour offset: Date parameters and results must match pg's local time.
    env: { TZ: 'Asia/Kolkata' },
    // Load the built package through Node, as an app does: one module instance for the tests'
    // `import pg` and for what pg-cursor requires by path (pg.types is shared by both).
    server: { deps: { external: [/packages\/pg-compat\/(dist|lib)\//] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
