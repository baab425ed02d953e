/**
 * @tusk/core through its public face. The pool, cursors and COPY are feature-detected, so the
 * workloads that need them light up as soon as the core exports them: `createPool` and a pool's
 * `connect`, and `cursor` / `copyFrom` on a connection (or, failing that, on a pool of one
 * connection).
 */
import { Readable } from 'node:stream'
import * as core from '@tusk/core'
import { packageVersion } from '../package-version.js'
import {
  type Capability,
  type Checkout,
  type DriverAdapter,
  NotAvailable,
  type PoolMode,
  type PoolTarget,
  type Row,
  type Session,
} from './driver.js'

const SELECT_INT = 'SELECT $1::int'
const NOT_YET = 'n/a (not implemented yet)'

/** What the adapter needs of a connection or a pool. */
interface TuskQueryable {
  query(text: string, params?: readonly unknown[]): Promise<{ rows: readonly Row[] }>
}

/** A connection as `connect()` returns it. */
interface TuskConnection extends TuskQueryable {
  close(): Promise<void>
}

/** A pool as `createPool()` is expected to return it. */
interface TuskPool extends TuskQueryable {
  end(): Promise<void>
}

/** A connection checked out of a pool, as `pool.connect()` returns it. */
interface TuskPoolClient {
  release(): Promise<void>
}

/** A pool that checks connections out (feature-detected). */
interface TuskCheckoutPool extends TuskPool {
  connect(): Promise<TuskPoolClient>
}

/** The part of `@tusk/core` the adapter uses; optional members are feature-detected. */
interface TuskCore {
  connect(url: string): Promise<TuskConnection>
  createPool?: (
    url: string,
    options: { max: number; maxPipeline?: number },
  ) => TuskPool | Promise<TuskPool>
  Session: { prototype: object }
  Pool?: { prototype: object }
}

/** `COPY ... FROM STDIN` fed from a stream, as `copyFrom(text, readable)`. */
type CopyFrom = (text: string, source: Readable) => Promise<unknown>
/** A cursor that yields rows or batches of rows, as `cursor(text, params, { batchSize })`. */
type CursorOf = (
  text: string,
  params: readonly unknown[],
  options: { batchSize: number },
) => AsyncIterable<Row | readonly Row[]> | Promise<AsyncIterable<Row | readonly Row[]>>

const api: TuskCore = core

function hasMethod(target: object, name: string): boolean {
  return typeof (target as Record<string, unknown>)[name] === 'function'
}

/** `target[name]` bound to `target`, when it is a function. */
function method<F>(target: object, name: string): F | undefined {
  const fn = (target as Record<string, unknown>)[name]
  return typeof fn === 'function' ? (fn.bind(target) as F) : undefined
}

/**
 * `serial` is `maxPipeline: 1`, one statement per connection at a time as pg's Pool runs them;
 * `pipelined` and `default` are the pool's defaults (up to 8 per connection once all are busy).
 */
async function openPool(
  url: string,
  size: number,
  mode: PoolMode = 'default',
): Promise<TuskPool | undefined> {
  if (!api.createPool) return undefined
  const pipeline = mode === 'serial' ? { maxPipeline: 1 } : {}
  return await api.createPool(url, { max: size, ...pipeline })
}

/** Whether `name` exists on pools (on pools of an unexported class: maybe). */
function poolsMayHave(name: string): boolean {
  if (api.Pool) return hasMethod(api.Pool.prototype, name)
  return typeof api.createPool === 'function'
}

/** Whether `name` exists on connections or pools. */
function mayHave(name: string): boolean {
  return hasMethod(api.Session.prototype, name) || poolsMayHave(name)
}

function canCheckout(pool: TuskPool): pool is TuskCheckoutPool {
  return hasMethod(pool, 'connect')
}

/** One checkout as a Tusk user writes it: `const c = await pool.connect()`, then `c.release()`. */
function checkoutFrom(pool: TuskCheckoutPool): Checkout {
  return async (hold) => {
    const client = await pool.connect()
    try {
      if (hold) await hold()
    } finally {
      await client.release()
    }
  }
}

/**
 * Resolves a capability on first use: the connection's own method, else the method of a pool of
 * one connection (closed by `release`); throws NotAvailable when neither has it.
 */
function lazyCapability<F>(conn: TuskConnection, url: string, name: string) {
  let pool: TuskPool | undefined
  let found: Promise<F> | undefined
  const resolve = async (): Promise<F> => {
    const own = method<F>(conn, name)
    if (own) return own
    pool = await openPool(url, 1)
    const pooled = pool && method<F>(pool, name)
    if (!pooled) throw new NotAvailable(NOT_YET)
    return pooled
  }
  return {
    get: (): Promise<F> => {
      found ??= resolve()
      return found
    },
    release: async (): Promise<void> => {
      await pool?.end()
    },
  }
}

async function countRows(
  items: AsyncIterable<Row | readonly Row[]>,
  onRow: (row: Row) => void,
): Promise<number> {
  let count = 0
  for await (const item of items) {
    if (Array.isArray(item)) {
      for (const row of item as readonly Row[]) onRow(row)
      count += item.length
    } else {
      onRow(item as Row)
      count++
    }
  }
  return count
}

async function connect(url: string): Promise<Session> {
  const conn = await api.connect(url)
  const copyFrom = lazyCapability<CopyFrom>(conn, url, 'copyFrom')
  const cursorOf = lazyCapability<CursorOf>(conn, url, 'cursor')
  return {
    selectOne: () => conn.query('SELECT 1'),
    selectInt: (value) => conn.query(SELECT_INT, [value]),
    readAll: async (text) => (await conn.query(text)).rows,
    execute: (text, params) => conn.query(text, params),
    executeNamed: (_name, text, params) => conn.query(text, params),
    copyIn: mayHave('copyFrom')
      ? async (text, chunks) => {
          const fn = await copyFrom.get()
          await fn(text, Readable.from(chunks))
        }
      : undefined,
    cursor: mayHave('cursor')
      ? async (text, batchSize, onRow) => {
          const fn = await cursorOf.get()
          return countRows(await fn(text, [], { batchSize }), onRow)
        }
      : undefined,
    close: async () => {
      await copyFrom.release()
      await cursorOf.release()
      await conn.close()
    },
  }
}

async function pool(url: string, size: number, mode: PoolMode): Promise<PoolTarget> {
  const p = await openPool(url, size, mode)
  if (!p) throw new NotAvailable(NOT_YET)
  return {
    selectInt: (value) => p.query(SELECT_INT, [value]),
    checkout: canCheckout(p) ? checkoutFrom(p) : undefined,
    close: () => p.end(),
  }
}

/** The @tusk/core adapter. */
export async function load(): Promise<DriverAdapter> {
  const missing: Partial<Record<Capability, string>> = {}
  if (typeof api.createPool !== 'function') missing.pool = NOT_YET
  else if (!poolsMayHave('connect')) missing.checkout = NOT_YET
  if (!mayHave('copyFrom')) missing.copyIn = NOT_YET
  if (!mayHave('cursor')) missing.cursor = NOT_YET
  return {
    version: packageVersion('@tusk/core'),
    connect,
    pool: missing.pool ? undefined : pool,
    missing,
    notes: [
      'tusk: W2 runs the pool with `maxPipeline: 1`, one statement per connection at a time, as pg’s Pool and pgbench’s 8 clients do. W2 pipelined runs its default: once all 8 connections are busy, `pool.query` statements are pipelined onto busy ones (up to `maxPipeline` = 8 per connection), as postgres.js does (`max_pipeline`, default 100); a statement queued behind another waits for it, which its p99 shows.',
      'tusk: W4 INSERT named runs the same call as W4 INSERT: the statement cache prepares a statement on its 5th execution, so the first 4 of each run are unnamed.',
    ],
  }
}
