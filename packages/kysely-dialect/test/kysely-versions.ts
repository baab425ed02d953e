/**
 * The Kysely releases the dialect is tested with: the lowest and the highest of each minor line
 * of its peer range, installed side by side as aliased dev dependencies (`kysely` itself is the
 * newest 0.29). A test points the dialect's own `kysely` imports at one of them.
 */
import type * as Kysely from 'kysely'
import type { Migrator } from 'kysely/migration'

/** The module shape every tested release shares (typed as the newest one). */
export type KyselyModule = typeof Kysely

/** One installed release. */
export interface KyselyRelease {
  /** The package name it is installed under. */
  readonly alias: string
  /** Its version, as published. */
  readonly version: string
  /** Loads it (a literal import each, so that the bundler resolves it). */
  readonly load: () => Promise<KyselyModule>
  /** Its Migrator (0.29 moved it to `kysely/migration`). */
  readonly migrator: () => Promise<typeof Migrator>
}

/** Lowest and highest of 0.28 and 0.29. */
export const KYSELY_RELEASES: readonly KyselyRelease[] = [
  {
    alias: 'kysely-0.28.0',
    version: '0.28.0',
    load: async () => (await import('kysely-0.28.0')) as unknown as KyselyModule,
    migrator: async () => (await import('kysely-0.28.0')).Migrator as unknown as typeof Migrator,
  },
  {
    alias: 'kysely-0.28.19',
    version: '0.28.19',
    load: async () => (await import('kysely-0.28.19')) as unknown as KyselyModule,
    migrator: async () => (await import('kysely-0.28.19')).Migrator as unknown as typeof Migrator,
  },
  {
    alias: 'kysely-0.29.0',
    version: '0.29.0',
    load: async () => (await import('kysely-0.29.0')) as unknown as KyselyModule,
    migrator: async () =>
      (await import('kysely-0.29.0/migration')).Migrator as unknown as typeof Migrator,
  },
  {
    alias: 'kysely',
    version: '0.29.9',
    load: async () => await import('kysely'),
    migrator: async () => (await import('kysely/migration')).Migrator,
  },
]
