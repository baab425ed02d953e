/** The queries the app shows: relations, filters on lists, aggregates, a transaction, raw SQL. */
import type { PrismaClient } from './generated/client.js'

/** What {@link report} found. */
export interface Report {
  published: { title: string; author: string; tags: string[]; views: bigint }[]
  postsPerRole: { role: string; posts: number }[]
  totalViews: bigint
  drafts: number
  renamed: string
  serverVersion: string
}

/** Runs the app's queries against `prisma`'s database. */
export async function report(prisma: PrismaClient): Promise<Report> {
  const published = await prisma.post.findMany({
    where: { publishedAt: { not: null }, tags: { has: 'tusk' } },
    include: { author: { select: { name: true } } },
    orderBy: { id: 'asc' },
  })
  const users = await prisma.user.findMany({
    select: { role: true, _count: { select: { posts: true } } },
  })
  const perRole = new Map<string, number>()
  for (const u of users) perRole.set(u.role, (perRole.get(u.role) ?? 0) + u._count.posts)
  const totals = await prisma.post.aggregate({ _sum: { views: true } })
  const drafts = await prisma.post.count({ where: { publishedAt: null } })
  // An interactive transaction: rename a post and read it back inside, then roll back.
  let renamed = ''
  await prisma
    .$transaction(async (tx) => {
      const first = await tx.post.findFirstOrThrow({ orderBy: { id: 'asc' } })
      renamed = (await tx.post.update({ where: { id: first.id }, data: { title: 'renamed' } }))
        .title
      throw new Error('roll back')
    })
    .catch((err: unknown) => {
      if (!(err instanceof Error) || err.message !== 'roll back') throw err
    })
  const [version] = await prisma.$queryRaw<
    { v: string }[]
  >`select current_setting('server_version') as v`
  return {
    published: published.map((p) => ({
      title: p.title,
      author: p.author.name,
      tags: p.tags,
      views: p.views,
    })),
    postsPerRole: [...perRole]
      .map(([role, posts]) => ({ role, posts }))
      .sort((a, b) => a.role.localeCompare(b.role)),
    totalViews: totals._sum.views ?? 0n,
    drafts,
    renamed,
    serverVersion: version?.v ?? '',
  }
}
