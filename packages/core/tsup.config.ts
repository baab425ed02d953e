import { defineConfig } from 'tsup'

export default defineConfig({
  // The pg value mapping is a subpath of its own (`@tusk/core/pg`): the main entry never loads it.
  entry: { index: 'src/index.ts', pg: 'src/pg/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  keepNames: true,
})
