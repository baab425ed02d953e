/** The app's Prisma Client, on @tusk/prisma. */
import { PrismaTusk } from '@tusk/prisma'
import { PrismaClient } from './generated/client.js'

/** A Prisma Client on the database at `url` (a pool of at most `max` connections). */
export function createPrisma(url: string, max = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaTusk(url, { pool: { max } }) })
}
