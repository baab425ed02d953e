/**
 * The TypeORM releases the package is tested with: the lowest and the highest of the 0.3 and the
 * 1.x lines, installed side by side as aliased dev dependencies and loaded as CommonJS (as
 * TypeORM is published).
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import type * as TypeORM from 'typeorm'

const require = createRequire(import.meta.url)

/** One installed release. */
export interface TypeormRelease {
  /** Its version, as published. */
  readonly version: string
  /** Its module (typed as the newest one). */
  readonly load: () => typeof TypeORM
  /** Its CLI script. */
  readonly cli: string
}

function release(version: string): TypeormRelease {
  const name = `typeorm-${version}`
  return {
    version,
    load: () => require(name) as typeof TypeORM,
    cli: path.join(path.dirname(require.resolve(name)), 'cli.js'),
  }
}

export const TYPEORM_RELEASES: readonly TypeormRelease[] = [
  release('0.3.0'),
  release('0.3.31'),
  release('1.0.0'),
  release('1.1.3'),
]
