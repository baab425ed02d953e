/** The knexfile (CommonJS, for Knex's CLI) as typed settings for the app and the tests. */
import { createRequire } from 'node:module'
import type { TuskKnexConfig } from '@tusk/knex'

const knexfile = createRequire(import.meta.url)('../knexfile.cjs') as TuskKnexConfig

/** The knexfile's settings, connected to `url`. */
export function knexConfig(url: string): TuskKnexConfig {
  return { ...knexfile, connection: url }
}
