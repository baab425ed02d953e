import { defineConfig } from 'prisma/config'

// The CLI's settings for the test schema (generate needs no database).
export default defineConfig({ schema: 'prisma/schema.prisma' })
