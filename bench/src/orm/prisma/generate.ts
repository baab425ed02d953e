/**
 * Generates the Prisma Client of the ORM suite's two tables (`schema.prisma` here) into
 * `generated/` when it is missing or older than the schema.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatePrismaClient } from '@tusk/testkit/prisma'

const dir = import.meta.dirname

export default function setup(): void {
  generatePrismaClient({
    schema: path.join(dir, 'schema.prisma'),
    config: path.join(dir, 'prisma.config.ts'),
    generated: path.join(dir, 'generated', 'client.ts'),
    from: import.meta.filename,
  })
}

// `tsx src/orm/prisma/generate.ts` (the bench's start and typecheck run it first).
if (process.argv[1] === fileURLToPath(import.meta.url)) setup()
