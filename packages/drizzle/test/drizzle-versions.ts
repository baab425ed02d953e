/**
 * The drizzle-orm releases the driver is tested with: the lowest and the highest 0.45.x,
 * installed side by side as aliased dev dependencies. A test points the driver's imports of
 * drizzle-orm at one of them, as in an app that installs only that release.
 */

/** One installed release. */
export interface DrizzleRelease {
  /** Its version, as published. */
  readonly version: string
  /** Its module for each drizzle-orm entry the driver imports, by specifier. */
  readonly modules: Readonly<Record<string, () => Promise<unknown>>>
}

export const DRIZZLE_RELEASES: readonly DrizzleRelease[] = [
  {
    version: '0.45.0',
    modules: {
      'drizzle-orm': () => import('drizzle-orm-0.45.0'),
      'drizzle-orm/pg-core': () => import('drizzle-orm-0.45.0/pg-core'),
      'drizzle-orm/cache/core': () => import('drizzle-orm-0.45.0/cache/core'),
      'drizzle-orm/migrator': () => import('drizzle-orm-0.45.0/migrator'),
      'drizzle-orm/node-postgres': () => import('drizzle-orm-0.45.0/node-postgres'),
    },
  },
  {
    version: '0.45.4',
    modules: {
      'drizzle-orm': () => import('drizzle-orm-0.45.4'),
      'drizzle-orm/pg-core': () => import('drizzle-orm-0.45.4/pg-core'),
      'drizzle-orm/cache/core': () => import('drizzle-orm-0.45.4/cache/core'),
      'drizzle-orm/migrator': () => import('drizzle-orm-0.45.4/migrator'),
      'drizzle-orm/node-postgres': () => import('drizzle-orm-0.45.4/node-postgres'),
    },
  },
]
