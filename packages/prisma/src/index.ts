/**
 * `@tusk/prisma`: Prisma 7's driver adapter for PostgreSQL on `@tusk/core`.
 *
 * ```ts
 * import { PrismaClient } from './generated/prisma/client'
 * import { PrismaTusk } from '@tusk/prisma'
 *
 * const prisma = new PrismaClient({ adapter: new PrismaTusk(process.env.DATABASE_URL) })
 * ```
 */
export { ADAPTER_NAME, TuskAdapter } from './adapter.js'
export { prismaTypes } from './column-types.js'
export { TuskDriverAdapterError } from './errors.js'
export { PrismaTusk, type PrismaTuskOptions } from './factory.js'
