import { defineConfig } from 'prisma/config'

// The CLI's settings for the Prisma harnesses' schema (generate needs no database).
export default defineConfig({ schema: 'schema.prisma' })
