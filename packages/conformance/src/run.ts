/**
 * runConformance: registers the suite's cases for one harness, once per server of the run, each
 * run in a database of its own. Describe names carry adapter × server version, and the matrix
 * reporter sums them up.
 */
import { errors } from '@tusk/core'
import { until } from '@tusk/testkit/until'
import type { TestServerInfo } from '@tusk/testkit/vitest'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { caseRegistrar, defineCasesV2 } from './cases-v2.js'
import type { Harness } from './harness.js'
import { columnShapes, elapse, memoryBeyondYoung, Run, rejection } from './run-context.js'
import { nullTypesRow, SCHEMA_TABLES, typesRow } from './schema.js'

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Servers to run against (default: every server of the testkit run). */
  readonly servers?: readonly TestServerInfo[]
  /**
   * Comma-separated adapter names, `*` wildcards allowed (default: the `ADAPTERS` environment
   * variable; unset runs every adapter). A harness left out is reported as skipped.
   */
  readonly adapters?: string
}

/** The prefix of every describe name the suite registers; the matrix reporter keys on it. */
export const SUITE_PREFIX = 'conformance:'

/** Rows the streaming case reads. */
export const STREAM_ROWS = 1_000_000
/** Rows per round trip of the streaming case. */
export const STREAM_CHUNK = 1_000
/**
 * Most growth of the process's memory beyond V8's young generation (run-context.ts's
 * `memoryBeyondYoung`) allowed while streaming: streaming measures 0-12 MB on Node 20 and 24,
 * buffering the same result 110-130 MiB.
 */
export const STREAM_RSS_BOUND_BYTES = 64 * 1024 * 1024

/** True when `name` is selected by a comma-separated filter with `*` wildcards. */
export function adapterSelected(name: string, filter: string | undefined): boolean {
  if (filter === undefined || filter.trim() === '') return true
  return filter
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .some((f) => {
      const pattern = f.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
      return new RegExp(`^${pattern}$`).test(name)
    })
}

function defineCases(harness: Harness, server: TestServerInfo): void {
  const run = new Run(harness, server)
  const caps = harness.capabilities
  const test = caseRegistrar(run)
  // A terminated backend leaves pg_stat_activity before its FATAL reaches the client (over TLS
  // the record may still sit in a socket buffer); until it is read no driver can know, and a
  // pool may hand the connection out. Tusk drops it as soon as the FATAL is read; pg-pool once
  // its socket closes. Nothing the ORM exposes says when that happened, so a little time passes:
  // more for the stock drivers, whose wait includes the socket's close event on a loaded machine.
  const afterBackendExit = (): Promise<void> => elapse(harness.reference ? 1_000 : 100)
  beforeAll(() => run.setUp(), 60_000)
  afterAll(() => run.tearDown(), 60_000)

  describe('CRUD', () => {
    test('round-trips every common column type with the values the ORM returns on pg', async () => {
      const input = { ...typesRow(), ...harness.inputs }
      const columns = Object.keys(typesRow())
      const expected = columnShapes({ id: 1, ...harness.expected }, columns)
      const inserted = await run.orm.insert('conf_types', input)
      expect(columnShapes(inserted, columns)).toEqual(expected)
      const selected = await run.orm.select('conf_types', 1)
      expect(columnShapes(selected, columns)).toEqual(expected)
    })

    test('round-trips NULL in every column', async () => {
      const columns = Object.keys(typesRow())
      const row = nullTypesRow(2)
      await run.orm.insert('conf_types', row)
      expect(columnShapes(await run.orm.select('conf_types', 2), columns)).toEqual(
        columnShapes(row, columns),
      )
    })

    test('updates and deletes through the ORM, counting the rows affected', async () => {
      await run.orm.insert('conf_items', { id: 1, label: 'first' })
      expect(await run.orm.update('conf_items', 1, { label: 'changed' })).toBe(1)
      expect(await run.orm.update('conf_items', 999, { label: 'nobody' })).toBe(0)
      expect(await run.orm.select('conf_items', 1)).toEqual({ id: 1, label: 'changed' })
      expect(await run.orm.delete('conf_items', 1)).toBe(1)
      expect(await run.orm.select('conf_items', 1)).toBeUndefined()
      expect(await run.orm.delete('conf_items', 1)).toBe(0)
    })

    test('runs raw SQL with parameters through the ORM', async () => {
      const rows = await run.orm.raw('select $1::int4 + 1 as n, $2::text as t', [41, 'x'])
      expect(rows).toEqual([{ n: 42, t: 'x' }])
    })
  })

  describe('transactions', () => {
    test('commits', async () => {
      const result = await run.orm.transaction(async (tx) => {
        await tx.insert('conf_items', { id: 10, label: 'committed' })
        return 'done'
      })
      expect(result).toBe('done')
      expect(await run.orm.select('conf_items', 10)).toEqual({ id: 10, label: 'committed' })
    })

    test('rolls back when the function throws, rethrowing its error', async () => {
      const boom = new Error('boom')
      const err = await rejection(() =>
        run.orm.transaction(async (tx) => {
          await tx.insert('conf_items', { id: 11, label: 'rolled back' })
          throw boom
        }),
      )
      expect(err).toBe(boom)
      expect(await run.orm.select('conf_items', 11)).toBeUndefined()
    })

    test('rolls back nested savepoints independently', async () => {
      const inner = new Error('inner')
      await run.orm.transaction(async (tx) => {
        await tx.insert('conf_items', { id: 20, label: 'outer' })
        await expect(
          tx.savepoint(async (sp) => {
            await sp.insert('conf_items', { id: 21, label: 'undone' })
            throw inner
          }),
        ).rejects.toBe(inner)
        await tx.savepoint(async (sp) => {
          await sp.insert('conf_items', { id: 22, label: 'kept' })
          await expect(
            sp.savepoint(async (deeper) => {
              await deeper.insert('conf_items', { id: 23, label: 'undone too' })
              throw inner
            }),
          ).rejects.toBe(inner)
          await sp.savepoint(async (deeper) => {
            await deeper.insert('conf_items', { id: 24, label: 'kept too' })
          })
        })
      })
      const rows = await run.orm.raw(
        'select id from conf_items where id between 20 and 29 order by id',
      )
      expect(rows.map((r) => r.id)).toEqual([20, 22, 24])
    })

    test('honours the isolation level and read-only mode', async () => {
      for (const isolation of ['read committed', 'repeatable read', 'serializable'] as const) {
        const rows = await run.orm.transaction(
          (tx) => tx.raw('select current_setting($1) as level', ['transaction_isolation']),
          { isolation },
        )
        expect(rows).toEqual([{ level: isolation }])
      }
      const err = await rejection(() =>
        run.orm.transaction((tx) => tx.insert('conf_items', { id: 30, label: 'no' }), {
          readOnly: true,
        }),
      )
      run.databaseError(err, '25006')
      run.expectClass(err, errors.ReadOnlySqlTransaction)
    })

    test('surfaces a serializable conflict as SerializationFailure', async () => {
      await run.orm.raw('insert into conf_oncall values (1, true), (2, true)')
      let arrived = 0
      let release: () => void = () => {}
      const bothRead = new Promise<void>((r) => {
        release = r
      })
      const goOffCall = (id: number) =>
        run.orm.transaction(
          async (tx) => {
            const rows = await tx.raw('select count(*)::int4 as n from conf_oncall where on_call')
            expect(rows).toEqual([{ n: 2 }])
            if (++arrived === 2) release()
            await bothRead
            await tx.update('conf_oncall', id, { on_call: false })
          },
          { isolation: 'serializable' },
        )
      const results = await Promise.allSettled([goOffCall(1), goOffCall(2)])
      const failures = results.filter((r) => r.status === 'rejected')
      expect(failures).toHaveLength(1)
      const err = (failures[0] as PromiseRejectedResult).reason
      run.databaseError(err, '40001')
      run.expectClass(err, errors.SerializationFailure)
      const onCall = await run.orm.raw('select count(*)::int4 as n from conf_oncall where on_call')
      expect(onCall).toEqual([{ n: 1 }])
    })
  })

  describe('errors', () => {
    beforeAll(async () => {
      await run.orm.insert('conf_users', { id: 1, email: 'a@example.com', age: 30 })
    })

    test('reports a unique violation as UniqueViolation with its fields', async () => {
      const err = await rejection(() =>
        run.orm.insert('conf_users', { id: 2, email: 'a@example.com', age: 1 }),
      )
      const e = run.databaseError(err, '23505')
      expect(e.constraint).toBe('conf_users_email_key')
      expect(e.table).toBe('conf_users')
      expect(e.detail).toBe('Key (email)=(a@example.com) already exists.')
      run.expectClass(err, errors.UniqueViolation)
      run.expectClass(err, errors.IntegrityError)
    })

    test('reports a foreign-key violation as ForeignKeyViolation with its fields', async () => {
      const err = await rejection(() => run.orm.insert('conf_posts', { id: 1, user_id: 999 }))
      const e = run.databaseError(err, '23503')
      expect(e.constraint).toBe('conf_posts_user_id_fkey')
      expect(e.table).toBe('conf_posts')
      expect(e.detail).toBe('Key (user_id)=(999) is not present in table "conf_users".')
      run.expectClass(err, errors.ForeignKeyViolation)
    })

    test('reports a not-null violation as NotNullViolation with its fields', async () => {
      const err = await rejection(() =>
        run.orm.insert('conf_users', { id: 3, email: null, age: 5 }),
      )
      const e = run.databaseError(err, '23502')
      expect(e.table).toBe('conf_users')
      expect(e.column).toBe('email')
      expect(e.detail).toBe('Failing row contains (3, null, 5).')
      run.expectClass(err, errors.NotNullViolation)
    })

    test('reports a check violation as CheckViolation with its fields', async () => {
      const err = await rejection(() =>
        run.orm.insert('conf_users', { id: 4, email: 'b@example.com', age: -1 }),
      )
      const e = run.databaseError(err, '23514')
      expect(e.constraint).toBe('conf_users_age_check')
      expect(e.table).toBe('conf_users')
      expect(e.detail).toBe('Failing row contains (4, b@example.com, -1).')
      run.expectClass(err, errors.CheckViolation)
    })
  })

  describe('streaming', () => {
    it.skipIf(!caps.stream)(
      `streams ${STREAM_ROWS.toLocaleString('en')} rows with bounded memory growth`,
      async () => {
        const gc = (globalThis as { gc?: () => void }).gc
        gc?.()
        const baseline = memoryBeyondYoung()
        let peak = baseline
        let count = 0
        let sum = 0
        for await (const row of run.orm.stream(
          "select g as id, repeat('x', 40) as pad from generate_series(1, $1::int4) g",
          [STREAM_ROWS],
          STREAM_CHUNK,
        )) {
          count++
          sum += row.id as number
          if (count % 100_000 === 0) peak = Math.max(peak, memoryBeyondYoung())
        }
        expect(count).toBe(STREAM_ROWS)
        expect(sum).toBe((STREAM_ROWS * (STREAM_ROWS + 1)) / 2)
        expect(peak - baseline).toBeLessThan(STREAM_RSS_BOUND_BYTES)
      },
      120_000,
    )

    it.skipIf(!caps.stream)('stops a stream early and leaves the pool usable', async () => {
      let seen = 0
      for await (const _ of run.orm.stream('select g from generate_series(1, 100000) g', [], 100)) {
        if (++seen === 250) break
      }
      expect(seen).toBe(250)
      await until(async () => (await run.backends()).every((b) => b.state === 'idle'), {
        what: 'no session is left in a transaction',
      })
      expect(await run.orm.raw('select 1 as one')).toEqual([{ one: 1 }])
    })
  })

  describe('pool and connections', () => {
    test('runs 200 concurrent queries over a pool of 10', async () => {
      // Only sessions that ran this test's statement count: a session an earlier test closed
      // can still be listed for a moment while its backend exits.
      const marker = `pool200_${Math.random().toString(36).slice(2)}`
      let peak = 0
      let sampling = true
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, (await run.backends(`%${marker}%`)).length)
          await elapse(5)
        }
      })()
      try {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            run.orm.raw(
              `select $1::int4 as n, pg_backend_pid() as pid, '${marker}' as m from pg_sleep(0.005)`,
              [i],
            ),
          ),
        )
        expect(results.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 200 }, (_, i) => i))
        const pids = new Set(results.map((rows) => rows[0]?.pid))
        expect(pids.size).toBeLessThanOrEqual(10)
      } finally {
        sampling = false
        await sampler
      }
      expect(peak).toBeGreaterThan(0)
      expect(peak).toBeLessThanOrEqual(10)
    })

    for (const how of ['an AbortSignal', 'a timeout signal'] as const) {
      it.skipIf(!caps.cancel)(`cancels a running query on the server through ${how}`, async () => {
        // Kysely logs the canceled query's rejection ("failed in the background after abortion").
        const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
        onTestFinished(() => quiet.mockRestore())
        const marker = `cancel_${Math.random().toString(36).slice(2)}`
        const controller = new AbortController()
        const signal = how === 'an AbortSignal' ? controller.signal : AbortSignal.timeout(500)
        const started = Date.now()
        const pending = rejection(() =>
          run.orm.rawWithSignal(`select pg_sleep(30), '${marker}' as m`, [], signal),
        )
        if (how === 'an AbortSignal') {
          await until(async () => (await run.backends(`%${marker}%`)).length > 0, {
            what: 'the query runs',
          })
          controller.abort()
        }
        const err = await pending
        // What reaches the caller says why: the signal's reason (Kysely hands it on), or else the
        // driver's QueryCanceled (SQLSTATE 57014) — never some other failure.
        if (err !== signal.reason) {
          run.databaseError(err, '57014')
          run.expectClass(err, errors.QueryCanceled)
        }
        expect(Date.now() - started).toBeLessThan(10_000)
        await until(
          async () => (await run.backends(`%${marker}%`)).every((b) => b.state !== 'active'),
          { what: 'the server stopped the query' },
        )
        expect(await run.orm.raw('select 2 as two')).toEqual([{ two: 2 }])
      })
    }

    test('recovers when the backend of a running query is terminated', async () => {
      const marker = `busy_${Math.random().toString(36).slice(2)}`
      const pending = rejection(() => run.orm.raw(`select pg_sleep(30), '${marker}' as m`))
      await until(async () => (await run.backends(`%${marker}%`)).length > 0, {
        what: 'the query runs',
      })
      await run.admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query like $2`,
        [run.database, `%${marker}%`],
      )
      const err = await pending
      expect(err).toBeDefined()
      // pg reports "Connection terminated unexpectedly" here; an adapter with the taxonomy must
      // say what happened: AdminShutdown (57P01).
      if (caps.errorClasses) {
        run.databaseError(err, '57P01')
        run.expectClass(err, errors.AdminShutdown)
      }
      // Once the session is over, the next query gets a live connection.
      await until(async () => (await run.backends(`%${marker}%`)).length === 0, {
        what: 'the backend is gone',
      })
      await afterBackendExit()
      expect(await run.orm.raw('select 3 as three')).toEqual([{ three: 3 }])
    })

    test('recovers when an idle session is terminated', async () => {
      const single = await run.open(1)
      const [before] = await single.raw('select pg_backend_pid() as pid')
      await run.admin.query('select pg_terminate_backend($1)', [before?.pid])
      await until(async () => !(await run.backends()).some((b) => b.pid === before?.pid), {
        what: 'the backend is gone',
      })
      await afterBackendExit()
      const [after] = await single.raw('select pg_backend_pid() as pid')
      expect(after?.pid).not.toBe(before?.pid)
    })
  })

  defineCasesV2(run)

  describe('migrations and introspection', () => {
    it.skipIf(!caps.migrations)(
      "applies and reverts a migration with the ORM's runner",
      async () => {
        const exists = async () =>
          (await run.orm.raw(`select to_regclass('public.conf_migrated')::text as t`))[0]?.t ===
          'conf_migrated'
        await run.orm.migrateUp()
        expect(await exists()).toBe(true)
        await run.orm.insert('conf_migrated', { id: 1, name: 'after migration' })
        await run.orm.migrateDown()
        expect(await exists()).toBe(false)
      },
    )

    it.skipIf(!caps.introspection)('lists the test tables through introspection', async () => {
      const tables = await run.orm.tables()
      expect(tables).toEqual(expect.arrayContaining(SCHEMA_TABLES))
    })
  })
}

/**
 * Registers the conformance cases for `harness`: one describe per server, named
 * `conformance: <adapter> (<orm>) × PostgreSQL <version> (<source>)`. Call it at the top level
 * of a test file. Each run creates its own database and drops it afterwards.
 */
export function runConformance(harness: Harness, options: ConformanceOptions = {}): void {
  const selected = adapterSelected(harness.name, options.adapters ?? process.env.ADAPTERS)
  const servers = options.servers ?? testServers()
  for (const server of servers) {
    const title = `${SUITE_PREFIX} ${harness.name} (${harness.orm}) × PostgreSQL ${server.version} (${server.source})`
    if (selected) describe(title, () => defineCases(harness, server))
    else describe.skip(title, () => it('is filtered out by ADAPTERS', () => {}))
  }
}
