/**
 * What every case works with: the run's own database, an admin session, the ORM instance shared by
 * most cases, and helpers to find sessions and database errors.
 */
import { getHeapSpaceStatistics } from 'node:v8'
import { connect, type Session } from '@tusk/core'
import { elapse } from '@tusk/testkit/elapse'
import { shape } from '@tusk/testkit/shape'
import type { TestServerInfo } from '@tusk/testkit/vitest'
import { expect } from 'vitest'
import type { Harness, OpenOptions, OrmSession, Row } from './harness.js'
import { SCHEMA_SQL } from './schema.js'

export { elapse }

/** What the cases read from a database error (the names `pg` and @tusk/core share). */
export interface ServerErrorFields {
  code?: string
  constraint?: string
  table?: string
  column?: string
  detail?: string
}

let runSerial = 0

/** Per run: the database, the admin connection, the ORM session shared by most cases. */
export class Run {
  readonly harness: Harness
  readonly server: TestServerInfo
  readonly database: string
  readonly applicationName: string
  #admin: Session | undefined
  #orm: OrmSession | undefined
  readonly #extra: OrmSession[] = []

  constructor(harness: Harness, server: TestServerInfo) {
    this.harness = harness
    this.server = server
    const slug = harness.name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()
    this.database = `conformance_${slug}_${process.pid}_${++runSerial}`
    this.applicationName = `conformance_${slug}_${process.pid}`
  }

  get admin(): Session {
    if (!this.#admin) throw new Error('run not set up')
    return this.#admin
  }

  get orm(): OrmSession {
    if (!this.#orm) throw new Error('run not set up')
    return this.#orm
  }

  /** The URL of this run's database, with an application_name to find its sessions. */
  url(): string {
    const u = new URL(this.server.url)
    u.pathname = `/${this.database}`
    u.searchParams.set('application_name', this.applicationName)
    return u.toString()
  }

  async setUp(): Promise<void> {
    this.#admin = await connect(this.server.url)
    await this.#admin.exec(`create database ${this.database}`)
    const setup = await connect(this.url())
    try {
      await setup.exec(SCHEMA_SQL)
    } finally {
      await setup.close()
    }
    this.#orm = await this.harness.open({ url: this.url(), max: 10 })
  }

  /** Another ORM instance on the same database (closed with the run). */
  async open(max: number, options: Partial<OpenOptions> = {}): Promise<OrmSession> {
    const session = await this.harness.open({ url: this.url(), max, ...options })
    this.#extra.push(session)
    return session
  }

  /** This run's URL with the server's port replaced by `port` (a proxy in front of it). */
  urlVia(port: number): string {
    const u = new URL(this.url())
    u.port = String(port)
    u.searchParams.set('sslmode', 'disable')
    return u.toString()
  }

  async tearDown(): Promise<void> {
    const sessions = [this.#orm, ...this.#extra.splice(0)]
    const closed = Promise.all(sessions.map((s) => s?.close().catch(() => {})))
    // A pool that cannot end must not hold the database (or the run) hostage.
    await Promise.race([closed, elapse(10_000)])
    if (this.#admin) {
      const force = this.server.major >= 13 ? ' with (force)' : ''
      await this.#admin.exec(`drop database if exists ${this.database}${force}`).catch(() => {})
      await this.#admin.close()
    }
  }

  /** Sessions of this run's database now (optionally only those running `like`). */
  async backends(like?: string): Promise<{ pid: number; state: string | null }[]> {
    const { rows } = await this.admin.query<{ pid: number; state: string | null }>(
      `select pid, state from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and ($2::text is null or query like $2)`,
      [this.database, like ?? null],
    )
    return rows
  }

  /** The errors to search: the harness's chain, or the error and its `cause`s. */
  chain(error: unknown): unknown[] {
    if (this.harness.errorChain) return this.harness.errorChain(error)
    const out: unknown[] = []
    for (let e = error; e !== undefined && e !== null && out.length < 10; ) {
      out.push(e)
      e = (e as { cause?: unknown }).cause
    }
    return out
  }

  /** The database error with SQLSTATE `code` in `error`'s chain; fails the test if none. */
  databaseError(error: unknown, code: string): ServerErrorFields {
    const found = this.chain(error).find((e) => (e as ServerErrorFields | null)?.code === code)
    expect(found, `no error with SQLSTATE ${code} in ${String(error)}`).toBeDefined()
    return found as ServerErrorFields
  }

  /** With `errorClasses`, some error of the chain is an instance of `cls`. */
  expectClass(error: unknown, cls: abstract new (...args: never[]) => unknown): void {
    if (!this.harness.capabilities.errorClasses) return
    const chain = this.chain(error)
    expect(
      chain.some((e) => e instanceof cls),
      `expected a ${cls.name} in the error chain: ${chain.map(String).join(' <- ')}`,
    ).toBe(true)
  }
}

/** Runs `fn`, which must reject; resolves with the rejection. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection, but it resolved')
}

/** Shapes of the columns of `row`, keyed by column, for one readable diff. */
export function columnShapes(
  row: Row | undefined,
  columns: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const c of columns) out[c] = shape(row?.[c])
  return out
}

/**
 * RSS less the memory V8's young generation holds. Streaming any long result fills the young
 * generation with short-lived rows, and V8 grows it to a maximum it picks per version and machine
 * (32 MiB on Node 20; on Node 24 on a 24 GiB machine, up to 128 MiB), so plain RSS growth says more
 * about the runtime than about the driver. Rows a driver keeps are promoted out of the young
 * generation and still count: buffering 1 000 000 rows grows this by 110-130 MiB on both.
 */
export function memoryBeyondYoung(): number {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  return process.memoryUsage.rss() - (young?.physical_space_size ?? 0)
}
