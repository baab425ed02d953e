/**
 * A primary and its standbys behind one handle: a writer pool that connects only to a server
 * that accepts writes, and a read pool that prefers standbys. Built on the pool; imports nothing
 * above it.
 */

import { log } from '../connection/logger.js'
import type { ConnectionConfig } from '../conninfo/config.js'
import type { ConnectionOptions } from '../conninfo/index.js'
import { resolveConfig } from '../conninfo/resolve.js'
import { ConfigError, ConnectionLost } from '../errors/client.js'
import { checkConninfoObject, checkPoolOptions } from '../options/validate.js'
import type { PoolOptions } from '../pool/options.js'
import { Pool } from '../pool/pool.js'
import type { Runtime } from '../runtime/runtime.js'
import { runtimeOf } from '../runtime/runtime.js'
import { type ReadYourWritesOptions, ReadYourWritesScope } from './read-your-writes.js'

/** Where the read pool connects. */
export type ReadTarget = 'prefer-standby' | 'standby'

/** Options of {@link Cluster}: the writer pool's options, plus the read side. */
export interface ClusterOptions extends PoolOptions {
  /**
   * `prefer-standby` (default): a standby, else the primary when no standby answers.
   * `standby`: standbys only (reads fail while none is up).
   */
  readFrom?: ReadTarget
  /** Pool options of the read pool that differ from the writer's (e.g. a larger `max`). */
  read?: PoolOptions
}

/**
 * SQLSTATEs after which the writer's connections may point at a server that no longer takes
 * writes: read-only transaction (a demoted or fenced primary), and the shutdown family.
 */
const REDISCOVER_CODES: ReadonlySet<string> = new Set(['25006', '57P01', '57P02', '57P03'])

/** True when `err` says the writer pool should look for the primary again. */
export function needsRediscovery(err: unknown): boolean {
  if (err instanceof ConnectionLost) return true
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && REDISCOVER_CODES.has(code)
}

/**
 * Writes on the primary, reads on standbys. `writer` connects with
 * `target_session_attrs=read-write`, `read` with `prefer-standby` (or `standby`) and
 * `load_balance_hosts=random`, both from the same host list. When a call through the cluster
 * fails because its server went read-only (25006) or away (a lost link, 57P01–57P03), the writer
 * pool drains: idle connections close and new ones find the primary again, so writes move to a
 * promoted standby without a restart.
 */
export class Cluster {
  /** The pool on the primary (read-write). Calls made on it directly skip rediscovery. */
  readonly writer: Pool
  /** The pool on the standbys (or the primary, under `prefer-standby`, when none is up). */
  readonly read: Pool
  #draining: Promise<void> | undefined
  #rediscoveries = 0

  /** Clusters come from `createCluster()`. */
  private constructor(writer: Pool, read: Pool) {
    this.writer = writer
    this.read = read
  }

  /** @internal Builds a cluster from a resolved config; see `createCluster`. */
  static create(config: ConnectionConfig, options: ClusterOptions, runtime: Runtime): Cluster {
    const { read, readFrom = 'prefer-standby', ...writerOptions } = options
    const writer = Pool.create(
      { ...config, targetSessionAttrs: 'read-write' },
      writerOptions,
      runtime,
    )
    const reader = Pool.create(
      { ...config, targetSessionAttrs: readFrom, loadBalanceHosts: 'random' },
      { ...writerOptions, ...read },
      runtime,
    )
    return new Cluster(writer, reader)
  }

  /** How many times the writer pool was drained to find the primary again. */
  get rediscoveries(): number {
    return this.#rediscoveries
  }

  /** `writer.query(...)`, with rediscovery on failure. */
  readonly query: Pool['query'] = ((...args: unknown[]) =>
    this.#watch(() =>
      (this.writer.query as (...a: unknown[]) => Promise<unknown>)(...args),
    )) as Pool['query']

  /** `writer.queryOne(...)`, with rediscovery on failure. */
  readonly queryOne: Pool['queryOne'] = ((...args: unknown[]) =>
    this.#watch(() =>
      (this.writer.queryOne as (...a: unknown[]) => Promise<unknown>)(...args),
    )) as Pool['queryOne']

  /** `writer.transaction(...)`, with rediscovery on failure. */
  readonly transaction: Pool['transaction'] = ((...args: unknown[]) =>
    this.#watch(() =>
      (this.writer.transaction as (...a: unknown[]) => Promise<unknown>)(...args),
    )) as Pool['transaction']

  /**
   * A scope for one request: `scope.query()` writes on the primary, `scope.read()` reads on a
   * standby once it has replayed the scope's writes (else on the primary after `maxLagWait`).
   */
  readYourWrites(options?: ReadYourWritesOptions): ReadYourWritesScope {
    return new ReadYourWritesScope(this.writer, this.read, options)
  }

  /** Drains the writer pool now (after a failover the caller learned of another way). */
  rediscover(): Promise<void> {
    if (!this.#draining) {
      this.#rediscoveries++
      this.#draining = this.writer.drain().finally(() => {
        this.#draining = undefined
      })
    }
    return this.#draining
  }

  /** Ends both pools (see `Pool.end`). */
  async end(options: { timeout?: number } = {}): Promise<void> {
    await Promise.all([this.writer.end(options), this.read.end(options)])
  }

  async #watch<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (err) {
      if (needsRediscovery(err) && !this.writer.closed) {
        // Draining closes connections; a failure to close one is no news to this caller.
        this.rediscover().catch(() => {})
      }
      throw err
    }
  }
}

/** Resolves `conninfo` once and builds a {@link Cluster} on it. */
export function createClusterOn(
  conninfo: string | ConnectionOptions | undefined,
  options: ClusterOptions,
  defaults: () => Runtime,
): Cluster {
  checkConninfoObject(conninfo, 'pool')
  const { read, readFrom, ...writerOptions } = options
  if (readFrom !== undefined && readFrom !== 'prefer-standby' && readFrom !== 'standby') {
    throw new ConfigError(
      `invalid cluster option "readFrom": expected 'prefer-standby' or 'standby', got ${String(readFrom)}`,
      { parameter: 'readFrom' },
    )
  }
  checkPoolOptions(writerOptions)
  if (read !== undefined) checkPoolOptions({ ...writerOptions, ...read })
  const runtime = runtimeOf(options.runtime, defaults)
  const config = resolveConfig(conninfo, runtime.context)
  for (const warning of config.warnings) log(options.logger, 'warn', warning)
  return Cluster.create(config, options, runtime)
}
