import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  // One CommonJS build serves `require` and `import` alike (Node reads its named exports), as
  // `pg` itself does: a single module instance, so `pg.types` and `pg.defaults` set through
  // either way are the ones every client and the `pg/lib/*.js` deep paths see.
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
