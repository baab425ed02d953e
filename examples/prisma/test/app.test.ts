/**
 * The Prisma starter end to end, on a database of its own: migrations applied and recorded as
 * Prisma Migrate records them (and skipped the second time), the seed (idempotent), the queries;
 * and the one-command start (`src/main.ts`) against a database of its own.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { connect } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPrisma } from '../src/db.js'
import type { PrismaClient } from '../src/generated/client.js'
import { applyMigrations } from '../src/migrate.js'
import { report } from '../src/queries.js'
import { seed } from '../src/seed.js'

const server = testServers()[0]!
const root = path.resolve(import.meta.dirname, '..')

function urlFor(dbname: string): string {
  const u = new URL(server.url)
  u.pathname = `/${dbname}`
  return u.toString()
}

async function freshDatabase(dbname: string): Promise<string> {
  const admin = await connect(server.url)
  try {
    await admin.exec(`drop database if exists ${dbname} with (force)`)
    await admin.exec(`create database ${dbname}`)
  } finally {
    await admin.close()
  }
  return urlFor(dbname)
}

async function dropDatabase(dbname: string): Promise<void> {
  const admin = await connect(server.url)
  try {
    await admin.exec(`drop database if exists ${dbname} with (force)`)
  } finally {
    await admin.close()
  }
}

describe('the Prisma starter', () => {
  const dbname = `example_prisma_${process.pid}`
  let url: string
  let prisma: PrismaClient

  beforeAll(async () => {
    url = await freshDatabase(dbname)
    prisma = createPrisma(url, 4)
  })

  afterAll(async () => {
    await prisma?.$disconnect()
    await dropDatabase(dbname)
  })

  it('applies the migrations once and records them as Prisma Migrate does', async () => {
    expect(await applyMigrations(url)).toEqual({ applied: ['20261205000000_init'], skipped: [] })
    expect(await applyMigrations(url)).toEqual({ applied: [], skipped: ['20261205000000_init'] })
    const script = readFileSync(
      path.join(root, 'prisma/migrations/20261205000000_init/migration.sql'),
      'utf8',
    )
    const session = await connect(url)
    try {
      const { rows } = await session.query(
        'select migration_name, checksum, applied_steps_count, finished_at is not null as finished from "_prisma_migrations"',
      )
      expect(rows).toEqual([
        {
          migration_name: '20261205000000_init',
          checksum: createHash('sha256').update(script).digest('hex'),
          applied_steps_count: 1,
          finished: true,
        },
      ])
    } finally {
      await session.close()
    }
  })

  it('seeds once; a second seed creates nothing', async () => {
    expect(await seed(prisma)).toBe(4)
    expect(await seed(prisma)).toBe(0)
    expect(await prisma.user.count()).toBe(3)
  })

  it('runs the queries through Prisma Client on @tusk/prisma', async () => {
    const found = await report(prisma)
    expect(found.published).toEqual([
      {
        title: "Ada's first post",
        author: 'Ada',
        tags: ['intro', 'tusk'],
        views: 9_007_199_254_740_993n,
      },
      {
        title: "Grace's first post",
        author: 'Grace',
        tags: ['intro', 'tusk'],
        views: 9_007_199_254_740_993n,
      },
    ])
    expect(found.postsPerRole).toEqual([
      { role: 'editor', posts: 2 },
      { role: 'reader', posts: 0 },
      { role: 'writer', posts: 2 },
    ])
    expect(found.totalViews).toBe(18_014_398_509_481_986n)
    expect(found.drafts).toBe(2)
    expect(found.renamed).toBe('renamed')
    const first = await prisma.post.findFirstOrThrow({ orderBy: { id: 'asc' } })
    expect(first.title).toBe("Ada's first post")
    expect(first.rating?.toString()).toBe('4.75')
    expect(first.publishedAt?.toISOString()).toBe('2026-12-01T09:30:00.123Z')
    expect(found.serverVersion).toMatch(/^\d+/)
  })

  it('starts with one command, migrating, seeding and querying', async () => {
    const startDb = `example_prisma_start_${process.pid}`
    const startUrl = await freshDatabase(startDb)
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/main.ts'],
        {
          cwd: root,
          env: { ...process.env, DATABASE_URL: startUrl },
          timeout: 50_000,
        },
      )
      expect(stdout).toContain('migration 20261205000000_init: applied')
      expect(stdout).toContain('seed: 4 posts created')
      expect(stdout).toContain(
        `published: "Ada's first post" by Ada [intro, tusk], 9007199254740993 views`,
      )
      expect(stdout).toContain('total views: 18014398509481986; drafts: 2')
    } finally {
      await dropDatabase(startDb)
    }
  })
})
