import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  // One CommonJS build serves `require` and `import` alike, as `pg-cursor` itself: lib/index.cjs
  // makes the Cursor class the module's export (`module.exports = Cursor`).
  format: ['cjs'],
  dts: true,
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false
  },
  clean: true,
  target: 'node20',
  platform: 'node',
  keepNames: true,
})
