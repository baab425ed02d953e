/** Prisma Client 7 on @tusk/prisma: `new PrismaClient({ adapter: new PrismaTusk(url) })`. */
import { PrismaTusk } from '@tusk/prisma'
import { packageVersion } from '../package-version.js'
import type { OrmAdapter } from './orm-driver.js'
import { prismaTarget } from './prisma-queries.js'

/** The Prisma-over-Tusk setup. */
export async function load(): Promise<OrmAdapter> {
  return {
    version: ['@prisma/client', '@tusk/prisma', '@tusk/core'].map(packageVersion).join(', '),
    open: async (url, poolSize) => prismaTarget(new PrismaTusk(url, { pool: { max: poolSize } })),
    notes: [],
  }
}
