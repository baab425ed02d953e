import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/migrator.ts'],
  format: ['esm', 'cjs'],
  // @internal members (constructors Drizzle calls, session plumbing) stay out of the published types.
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  keepNames: true,
})
