import { defineConfig } from 'tsup'

export default defineConfig({
  // The pg value mapping is a subpath of its own (`@tusk/core/pg`): the main entry never loads it.
  entry: { index: 'src/index.ts', pg: 'src/pg/index.ts' },
  format: ['esm', 'cjs'],
  // `@internal` members (the request pump, the cancel key, hooks between layers) stay out of the
  // published declarations; scripts/api-report.mjs checks what is left.
  dts: { compilerOptions: { stripInternal: true } },
  // Maps point at the shipped src/ (package.json `files`) rather than embedding it a second and
  // third time (ESM and CommonJS): stack frames and debuggers open real files.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false
  },
  clean: true,
  target: 'node20',
  platform: 'node',
  keepNames: true,
})
