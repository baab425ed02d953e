/**
 * The ORM suite's calls as a Prisma user writes them (`findUnique`, `findMany`, `createMany` on a
 * generated client), shared by both Prisma setups: only the driver adapter differs.
 */
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import type { Row } from '../drivers/driver.js'
import type { OrmTarget } from './orm-driver.js'
import { Prisma, PrismaClient } from './prisma/generated/client.js'

/** A Prisma Client on `adapter`, as the workloads use it. */
export function prismaTarget(adapter: SqlDriverAdapterFactory): OrmTarget {
  const prisma = new PrismaClient({ adapter })
  return {
    selectById: async (id) =>
      ((await prisma.bench_orm.findUnique({ where: { id } })) as Row | null) ?? undefined,
    selectAll: async () => (await prisma.bench_orm.findMany()) as Row[],
    insertRows: async (rows) => {
      await prisma.bench_insert.createMany({
        data: rows.map((r) => ({
          ...r,
          big: BigInt(r.big),
          amount: new Prisma.Decimal(r.amount),
          // Json columns take the JSON value; the suite's rows carry it as text.
          doc: JSON.parse(r.doc) as Prisma.InputJsonValue,
        })),
      })
    },
    truncateInserted: async () => {
      await prisma.bench_insert.deleteMany()
    },
    countInserted: () => prisma.bench_insert.count(),
    close: () => prisma.$disconnect(),
  }
}
