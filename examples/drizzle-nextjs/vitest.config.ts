import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'example-drizzle-nextjs',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../../packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    // The first start runs `next build`.
    hookTimeout: 240_000,
  },
})
