/**
 * `pg-cursor`'s behaviour, one set of test bodies run twice: on the real `pg` with the real
 * `pg-cursor` (the reference), and on @tusk/pg-compat with this package. Each case is a
 * behaviour an app relies on: batches, the end, events, callbacks, rowMode, types, parameters,
 * errors, closing early, and the client's later queries waiting for the cursor.
 */
import { createRequire } from 'node:module'
import { InterfaceError } from '@tusk/core'
import * as compat from '@tusk/pg-compat'
import { testServers } from '@tusk/testkit/vitest'
import realPg from 'pg'
import RealCursor from 'pg-cursor'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type TuskCursorType from '../lib/index.cjs'

const require = createRequire(import.meta.url)
const TuskCursor: typeof TuskCursorType = require('../lib/index.cjs')

/** The minimum of a Cursor both implementations offer, as the tests use it. */
interface AnyCursor {
  read(rows: number): Promise<unknown[]>
  read(
    rows: number,
    callback: (err: Error | undefined, rows: unknown[], result: { command: string }) => void,
  ): undefined
  close(): Promise<void>
  close(callback: (err?: Error) => void): undefined
  on(event: string, listener: (...args: never[]) => void): unknown
}

interface AnyClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
  query<T>(submittable: T): T
  release(err?: Error | boolean): void
}

/** One implementation under test: a pool class and a cursor class. */
interface Harness {
  name: string
  newPool(url: string): { connect(): Promise<AnyClient>; end(): Promise<void> }
  newCursor(text: string, values?: unknown[], config?: Record<string, unknown>): AnyCursor
  DatabaseError: abstract new (...args: never[]) => Error
}

const HARNESSES: Harness[] = [
  {
    name: 'pg + pg-cursor',
    newPool: (url) => new realPg.Pool({ connectionString: url, max: 2 }) as never,
    newCursor: (text, values, config) => new RealCursor(text, values, config) as never,
    DatabaseError: realPg.DatabaseError,
  },
  {
    name: '@tusk/pg-compat + @tusk/pg-cursor',
    newPool: (url) => new compat.Pool({ connectionString: url, max: 2 }) as never,
    newCursor: (text, values, config) => new TuskCursor(text, values, config) as never,
    DatabaseError: compat.DatabaseError,
  },
]

const servers = testServers()
const matrix = servers.flatMap((s) => HARNESSES.map((h) => [h.name, s.name, h, s] as const))

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

describe.each(matrix)('%s on %s', (_h, _s, h, server) => {
  let pool: ReturnType<Harness['newPool']>

  beforeAll(() => {
    pool = h.newPool(server.url)
  })

  afterAll(async () => {
    await pool.end()
  })

  async function withClient(fn: (client: AnyClient) => Promise<void>): Promise<void> {
    const client = await pool.connect()
    try {
      await fn(client)
    } finally {
      client.release()
    }
  }

  it('reads batches of the size asked for, then [] at and past the end', async () => {
    await withClient(async (client) => {
      const cursor = client.query(
        h.newCursor('select g, g::int8 as big from generate_series(1, $1::int) g', [25]),
      )
      const a = await cursor.read(10)
      expect(a).toHaveLength(10)
      expect(a[0]).toEqual({ g: 1, big: '1' })
      expect(await cursor.read(10)).toHaveLength(10)
      const c = await cursor.read(10)
      expect(c.map((r) => (r as { g: number }).g)).toEqual([21, 22, 23, 24, 25])
      expect(await cursor.read(10)).toEqual([])
      expect(await cursor.read(10)).toEqual([])
      await cursor.close()
      expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
    })
  })

  it('reads every row with read(0)', async () => {
    await withClient(async (client) => {
      const cursor = client.query(h.newCursor('select g from generate_series(1, 50) g'))
      const rows = await cursor.read(0)
      expect(rows).toHaveLength(50)
      expect(await cursor.read(5)).toEqual([])
    })
  })

  it('emits row for each row handed out and end once, with the result', async () => {
    await withClient(async (client) => {
      const cursor = client.query(h.newCursor('select g from generate_series(1, 7) g'))
      const seen: unknown[] = []
      const ends: { command: string }[] = []
      cursor.on('row', (row: never) => seen.push(row))
      cursor.on('end', (result: never) => ends.push(result))
      expect(await cursor.read(5)).toHaveLength(5)
      expect(seen).toHaveLength(5)
      expect(await cursor.read(5)).toHaveLength(2)
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7].map((g) => ({ g })))
      expect(ends).toHaveLength(1)
      expect(ends[0]?.command).toBe('SELECT')
    })
  })

  it('reads with callbacks and rowMode array, and closes with a callback', async () => {
    await withClient(async (client) => {
      const cursor = client.query(
        h.newCursor('select g, g * 2 as d from generate_series(1, 100) g', [], {
          rowMode: 'array',
        }),
      )
      const [rows, result] = await new Promise<[unknown[], { command: string }]>(
        (resolve, reject) => {
          const ret = cursor.read(3, (err, batch, res) =>
            err ? reject(err) : resolve([batch, res]),
          )
          expect(ret).toBeUndefined()
        },
      )
      expect(rows).toEqual([
        [1, 2],
        [2, 4],
        [3, 6],
      ])
      expect(result).toBeDefined()
      await new Promise<void>((resolve, reject) =>
        cursor.close((err) => (err ? reject(err) : resolve())),
      )
      expect((await client.query('select count(*)::int as n from pg_cursors')).rows).toEqual([
        { n: 0 },
      ])
    })
  })

  it('closes early, leaving the client idle and usable', async () => {
    await withClient(async (client) => {
      const cursor = client.query(h.newCursor('select g from generate_series(1, 100000) g'))
      expect(await cursor.read(5)).toHaveLength(5)
      await cursor.close()
      await cursor.close()
      expect(await cursor.read(5)).toEqual([])
      const { rows } = await client.query(
        "select count(*)::int as n, current_setting('transaction_isolation') is not null as ok from pg_cursors",
      )
      expect(rows).toEqual([{ n: 0, ok: true }])
      // Idle: a BEGIN here opens a new transaction block rather than warning about one.
      await client.query('begin')
      await client.query('rollback')
    })
  })

  it('closes a cursor that was never read', async () => {
    await withClient(async (client) => {
      const cursor = client.query(h.newCursor('select 1 as n'))
      await cursor.close()
      expect((await client.query('select 2 as n')).rows).toEqual([{ n: 2 }])
    })
  })

  it('runs the client’s later queries after the cursor closes', async () => {
    await withClient(async (client) => {
      const order: string[] = []
      const cursor = client.query(h.newCursor('select g from generate_series(1, 1000) g'))
      expect(await cursor.read(1)).toEqual([{ g: 1 }])
      const later = client.query('select 9 as n').then((r) => {
        order.push('query')
        return r.rows
      })
      expect(await cursor.read(2)).toEqual([{ g: 2 }, { g: 3 }])
      await cursor.close()
      order.push('closed')
      expect(await later).toEqual([{ n: 9 }])
      expect(order).toEqual(['closed', 'query'])
    })
  })

  it('parses with the cursor’s own types, and prepares parameters as pg does', async () => {
    await withClient(async (client) => {
      const types = { getTypeParser: () => (text: string) => `t:${text}` }
      const typed = client.query(h.newCursor('select 1 as n', [], { types }))
      expect(await typed.read(1)).toEqual([{ n: 't:1' }])
      await typed.close()
      const cursor = client.query(
        h.newCursor('select $1::int[] as a, $2::jsonb as j, $3::text as u, $4::bytea as b', [
          [1, 2],
          { k: 'v' },
          undefined,
          Buffer.from([1, 2]),
        ]),
      )
      expect(await cursor.read(1)).toEqual([
        { a: [1, 2], j: { k: 'v' }, u: null, b: Buffer.from([1, 2]) },
      ])
      await cursor.close()
    })
  })

  it('reports a failing query to its read, to later reads and to error listeners', async () => {
    await withClient(async (client) => {
      const cursor = client.query(h.newCursor('select * from tusk_cursor_no_such_table'))
      const heard: Error[] = []
      cursor.on('error', (err: never) => heard.push(err))
      const err = await rejection(cursor.read(10))
      expect(err).toBeInstanceOf(h.DatabaseError)
      expect((err as { code?: string }).code).toBe('42P01')
      expect(err.message).toBe('relation "tusk_cursor_no_such_table" does not exist')
      expect(heard).toEqual([err])
      expect(await rejection(cursor.read(1))).toBe(err)
      await cursor.close()
      expect((await client.query('select 3 as ok')).rows).toEqual([{ ok: 3 }])
    })
  })

  it('reports an error raised after some rows to the read that meets it', async () => {
    await withClient(async (client) => {
      const cursor = client.query(
        h.newCursor('select 10 / (5 - g) as q from generate_series(1, 10) g'),
      )
      expect(await cursor.read(2)).toEqual([{ q: 2 }, { q: 3 }])
      const err = await rejection(cursor.read(10))
      expect((err as { code?: string }).code).toBe('22012')
      expect((await client.query('select 4 as ok')).rows).toEqual([{ ok: 4 }])
    })
  })

  it('reads inside the caller’s transaction and leaves it open', async () => {
    await withClient(async (client) => {
      await client.query('begin')
      await client.query('create temp table tusk_cursor_tx (n int) on commit drop')
      await client.query('insert into tusk_cursor_tx select generate_series(1, 5)')
      const cursor = client.query(h.newCursor('select n from tusk_cursor_tx order by n'))
      expect(await cursor.read(3)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
      await cursor.close()
      // Still in the same transaction: the temporary table is there until COMMIT.
      expect((await client.query('select count(*)::int as c from tusk_cursor_tx')).rows).toEqual([
        { c: 5 },
      ])
      await client.query('commit')
    })
  })
})

describe.each(servers.map((s) => [s.name, s] as const))('@tusk/pg-cursor on %s', (_n, server) => {
  it('answers reads issued together in order, and [] to those past the end or the close', async () => {
    const client = new compat.Client(server.url)
    await client.connect()
    try {
      const cursor = client.query(new TuskCursor('select g from generate_series(1, 5) g'))
      const reads = [cursor.read(2), cursor.read(2), cursor.read(2), cursor.read(2)]
      expect(await Promise.all(reads)).toEqual([
        [{ g: 1 }, { g: 2 }],
        [{ g: 3 }, { g: 4 }],
        [{ g: 5 }],
        [],
      ])
      const open = client.query(new TuskCursor('select g from generate_series(1, 100) g'))
      expect(await open.read(1)).toEqual([{ g: 1 }])
      const first = open.read(10)
      const queued = open.read(10)
      const closed = open.close()
      expect(await first).toHaveLength(10)
      expect(await queued).toEqual([])
      await closed
      expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
    } finally {
      await client.end()
    }
  })
})

describe.each(servers.map((s) => [s.name, s] as const))(
  '@tusk/pg-cursor on the real pg, %s',
  (_n, server) => {
    it('fails with an InterfaceError and leaves the pg client usable', async () => {
      const client = new realPg.Client(server.url)
      await client.connect()
      try {
        const cursor = client.query(new TuskCursor('select 1 as n') as never) as AnyCursor
        const err = await rejection(cursor.read(1))
        expect(err).toBeInstanceOf(InterfaceError)
        expect(err.message).toContain('@tusk/pg-compat')
        expect((await client.query('select 5 as ok')).rows).toEqual([{ ok: 5 }])
      } finally {
        await client.end()
      }
    })
  },
)
