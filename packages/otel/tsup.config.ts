import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { stripInternal: true } },
  // Maps point at the shipped src/ rather than embedding it again.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false
  },
  clean: true,
  target: 'node20',
  platform: 'node',
  keepNames: true,
})
