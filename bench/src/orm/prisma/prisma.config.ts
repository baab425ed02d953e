import { defineConfig } from 'prisma/config'

// The CLI's settings for the ORM suite's Prisma schema (generate needs no database).
export default defineConfig({ schema: 'schema.prisma' })
