/** Prisma Client 7 on @prisma/adapter-pg (a `pg.Pool`), as Prisma's documentation sets it up. */
import { PrismaPg } from '@prisma/adapter-pg'
import { packageVersion } from '../package-version.js'
import type { OrmAdapter } from './orm-driver.js'
import { prismaTarget } from './prisma-queries.js'

/** The Prisma-over-pg setup. */
export async function load(): Promise<OrmAdapter> {
  return {
    version: ['@prisma/client', '@prisma/adapter-pg', 'pg'].map(packageVersion).join(', '),
    open: async (url, poolSize) =>
      prismaTarget(new PrismaPg({ connectionString: url, max: poolSize })),
    notes: [],
  }
}
