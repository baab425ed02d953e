import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // @internal members (the driver's attach/detach/discard) stay out of the published types.
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
