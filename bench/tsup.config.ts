import { defineConfig } from 'tsup'

// Only the child is built: it runs without a TypeScript loader, so its memory figures are the
// driver's and Node's alone. The parent runs through tsx (it imports the testkit's sources).
export default defineConfig({
  entry: { child: 'src/child.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  outDir: 'dist',
  // Knex requires every dialect's driver lazily; bundled, each missing one is a build error.
  // TypeORM is CommonJS that requires Node's modules and its drivers at run time: loaded as is.
  // Prisma's runtime loads its query compiler (WASM) relative to itself: loaded as installed.
  // Drizzle is loaded as installed too: @tusk/drizzle (external) imports the installed
  // drizzle-orm, and a second, bundled copy for the bench's tables would fail every `instanceof`
  // of Drizzle's `is()`, which then walks the prototype chain for every value of every row.
  external: [
    'knex',
    /^knex\//,
    'typeorm',
    /^typeorm\//,
    'reflect-metadata',
    /^@tusk\//,
    /^@prisma\//,
    'drizzle-orm',
    /^drizzle-orm\//,
  ],
})
