/**
 * Global set-up: generates the Prisma Client of `test/prisma/schema.prisma` into `test/generated`
 * when it is missing or older than the schema (offline: see `@tusk/testkit/prisma`).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatePrismaClient } from '@tusk/testkit/prisma'

const testDir = import.meta.dirname

export default function setup(): void {
  generatePrismaClient({
    schema: path.join(testDir, 'prisma', 'schema.prisma'),
    config: path.join(testDir, 'prisma.config.ts'),
    generated: path.join(testDir, 'generated', 'client.ts'),
    from: import.meta.filename,
  })
}

// `tsx test/generate-client.ts` (the package's typecheck runs it first).
if (process.argv[1] === fileURLToPath(import.meta.url)) setup()
