import { defineConfig } from 'prisma/config'

// Prisma CLI settings. `datasource.url` is what `prisma migrate dev` connects to (DATABASE_URL);
// the app itself connects through @tusk/prisma (src/db.ts).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx src/seed.ts' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
})
