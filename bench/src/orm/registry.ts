/**
 * The ORM setups by driver name. Adding an ORM (Drizzle, Knex, TypeORM, Prisma, pg-compat under
 * an ORM) is one file implementing OrmAdapter, one line here and its name in ORM_DRIVERS
 * (src/workloads.ts); each is imported on demand, so one that fails to load costs only its column.
 */
import type { OrmDriverName } from '../workloads.js'
import type { OrmAdapter } from './orm-driver.js'

/** Loads each ORM setup. */
export const ORM_LOADERS: Record<OrmDriverName, () => Promise<OrmAdapter>> = {
  'kysely-tusk': async () => (await import('./kysely-tusk.js')).load(),
  'kysely-pg': async () => (await import('./kysely-pg.js')).load(),
  'knex-tusk': async () => (await import('./knex-tusk.js')).load(),
  'knex-pg': async () => (await import('./knex-pg.js')).load(),
  'typeorm-tusk': async () => (await import('./typeorm-tusk.js')).load(),
  'typeorm-pg': async () => (await import('./typeorm-pg.js')).load(),
  'drizzle-tusk': async () => (await import('./drizzle-tusk.js')).load(),
  'drizzle-pg': async () => (await import('./drizzle-pg.js')).load(),
  'drizzle-postgres': async () => (await import('./drizzle-postgres.js')).load(),
  'prisma-tusk': async () => (await import('./prisma-tusk.js')).load(),
  'prisma-pg': async () => (await import('./prisma-pg.js')).load(),
}
