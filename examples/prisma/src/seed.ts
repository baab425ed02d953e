/**
 * Seed data: three users and their posts, in one transaction; running it again changes nothing
 * (users are upserted by email, posts created only for a user who has none). As a script
 * (`prisma db seed`, or `tsx src/seed.ts`), it seeds the database at DATABASE_URL.
 */
import { fileURLToPath } from 'node:url'
import { createPrisma } from './db.js'
import { Prisma, type PrismaClient } from './generated/client.js'

const USERS = [
  { email: 'ada@example.com', name: 'Ada', role: 'editor' },
  { email: 'grace@example.com', name: 'Grace', role: 'writer' },
  { email: 'linus@example.com', name: 'Linus', role: 'reader' },
] as const

/** Seeds `prisma`'s database; resolves to the number of posts created. */
export async function seed(prisma: PrismaClient): Promise<number> {
  return prisma.$transaction(async (tx) => {
    let created = 0
    for (const user of USERS) {
      const row = await tx.user.upsert({
        where: { email: user.email },
        create: user,
        update: {},
        include: { _count: { select: { posts: true } } },
      })
      if (row.role === 'reader' || row._count.posts > 0) continue
      const { count } = await tx.post.createMany({
        data: [
          {
            title: `${user.name}'s first post`,
            body: 'Hello from Prisma on Tusk.',
            tags: ['intro', 'tusk'],
            views: 9_007_199_254_740_993n,
            rating: new Prisma.Decimal('4.75'),
            publishedAt: new Date('2026-12-01T09:30:00.123Z'),
            authorId: row.id,
          },
          {
            title: `${user.name}'s draft`,
            body: 'Not out yet.',
            tags: ['draft'],
            authorId: row.id,
          },
        ],
      })
      created += count
    }
    return created
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('set DATABASE_URL to the database to seed')
  const prisma = createPrisma(url, 2)
  try {
    console.log(`seeded ${await seed(prisma)} posts`)
  } finally {
    await prisma.$disconnect()
  }
}
