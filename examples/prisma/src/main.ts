/**
 * `pnpm --filter @tusk/example-prisma start`: starts an embedded PostgreSQL through the testkit (or
 * uses DATABASE_URL), applies the migrations, seeds, runs the queries through Prisma Client on
 * @tusk/prisma, prints what they found, and stops.
 */
import { startPostgres } from '@tusk/testkit'
import { createPrisma } from './db.js'
import { applyMigrations } from './migrate.js'
import { report } from './queries.js'
import { seed } from './seed.js'

const postgres = await startPostgres({ source: process.env.DATABASE_URL ? 'env' : 'embedded' })
console.log(
  `PostgreSQL ${postgres.version} (${postgres.source}) on ${postgres.host}:${postgres.port}`,
)
const prisma = createPrisma(postgres.url)
try {
  const migrations = await applyMigrations(postgres.url)
  for (const name of migrations.applied) console.log(`migration ${name}: applied`)
  for (const name of migrations.skipped) console.log(`migration ${name}: already applied`)
  console.log(`seed: ${await seed(prisma)} posts created`)
  const found = await report(prisma)
  for (const p of found.published) {
    console.log(`published: "${p.title}" by ${p.author} [${p.tags.join(', ')}], ${p.views} views`)
  }
  for (const r of found.postsPerRole) console.log(`posts by ${r.role}s: ${r.posts}`)
  console.log(`total views: ${found.totalViews}; drafts: ${found.drafts}`)
  console.log(`inside a rolled-back transaction a post was "${found.renamed}"`)
} finally {
  await prisma.$disconnect()
  await postgres.stop()
}
