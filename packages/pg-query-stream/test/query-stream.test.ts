/**
 * `pg-query-stream`'s behaviour, one set of test bodies run twice: on the real `pg` with the
 * real `pg-query-stream` (the reference), and on @tusk/pg-compat with this package. Each case is
 * a behaviour an app relies on: every row in order, async iteration and pipes, rowMode, the
 * highWaterMark, memory bounded by backpressure, errors, and destroying the stream early.
 */
import { createRequire } from 'node:module'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { InterfaceError } from '@tusk/core'
import * as compat from '@tusk/pg-compat'
import { testServers } from '@tusk/testkit/vitest'
import realPg from 'pg'
import RealQueryStream from 'pg-query-stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type TuskQueryStreamType from '../lib/index.cjs'

const require = createRequire(import.meta.url)
const TuskQueryStream: typeof TuskQueryStreamType = require('../lib/index.cjs')

interface AnyClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
  query<T>(submittable: T): T
  release(err?: Error | boolean): void
}

/** The stream, with the cursor both implementations expose (it emits `row` per row read). */
type AnyStream = Readable & { cursor: { on(event: 'row', listener: () => void): unknown } }

/** One implementation under test: a pool class and a stream class. */
interface Harness {
  name: string
  newPool(url: string): { connect(): Promise<AnyClient>; end(): Promise<void> }
  newStream(text: string, values?: unknown[], config?: Record<string, unknown>): AnyStream
  DatabaseError: abstract new (...args: never[]) => Error
}

const HARNESSES: Harness[] = [
  {
    name: 'pg + pg-query-stream',
    newPool: (url) => new realPg.Pool({ connectionString: url, max: 2 }) as never,
    newStream: (text, values, config) => new RealQueryStream(text, values, config) as never,
    DatabaseError: realPg.DatabaseError,
  },
  {
    name: '@tusk/pg-compat + @tusk/pg-query-stream',
    newPool: (url) => new compat.Pool({ connectionString: url, max: 2 }) as never,
    newStream: (text, values, config) => new TuskQueryStream(text, values, config) as never,
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

async function drain(stream: Readable): Promise<unknown[]> {
  const rows: unknown[] = []
  for await (const row of stream) rows.push(row)
  return rows
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

  /** The client is idle, holds no portal, and answers. */
  async function expectClean(client: AnyClient): Promise<void> {
    expect((await client.query('select count(*)::int as n from pg_cursors')).rows).toEqual([
      { n: 0 },
    ])
    await client.query('begin')
    await client.query('rollback')
  }

  it('is a Readable yielding every row in order to for await', async () => {
    await withClient(async (client) => {
      const stream = client.query(
        h.newStream('select g, g::text as t from generate_series(1, $1::int) g', [1234]),
      )
      expect(stream).toBeInstanceOf(Readable)
      const rows = (await drain(stream)) as { g: number; t: string }[]
      expect(rows).toHaveLength(1234)
      expect(rows[0]).toEqual({ g: 1, t: '1' })
      expect(rows.every((r, i) => r.g === i + 1)).toBe(true)
      await expectClean(client)
    })
  })

  it('streams an empty result, and rows as arrays with rowMode array', async () => {
    await withClient(async (client) => {
      expect(await drain(client.query(h.newStream('select 1 as n where false')))).toEqual([])
      const arrays = client.query(
        h.newStream('select g, -g as m from generate_series(1, 3) g', [], { rowMode: 'array' }),
      )
      expect(await drain(arrays)).toEqual([
        [1, -1],
        [2, -2],
        [3, -3],
      ])
    })
  })

  it('takes its highWaterMark from batchSize, else highWaterMark, else 100', () => {
    expect(h.newStream('select 1', [], { batchSize: 7 }).readableHighWaterMark).toBe(7)
    expect(h.newStream('select 1', [], { highWaterMark: 9 }).readableHighWaterMark).toBe(9)
    expect(h.newStream('select 1').readableHighWaterMark).toBe(100)
  })

  it('pipes into a Writable with pipeline', async () => {
    await withClient(async (client) => {
      let sum = 0
      const sink = new Writable({
        objectMode: true,
        write(row: { g: number }, _enc, done) {
          sum += row.g
          done()
        },
      })
      await pipeline(client.query(h.newStream('select g from generate_series(1, 500) g')), sink)
      expect(sum).toBe((500 * 501) / 2)
    })
  })

  it('keeps at most about two batches ahead of a slow consumer', async () => {
    await withClient(async (client) => {
      const batch = 50
      const stream = client.query(
        h.newStream('select g from generate_series(1, 3000) g', [], { batchSize: batch }),
      )
      let read = 0
      stream.cursor.on('row', () => {
        read++
      })
      let consumed = 0
      let ahead = 0
      for await (const _row of stream) {
        consumed++
        ahead = Math.max(ahead, read - consumed)
        // Give the producer every chance to run ahead.
        await new Promise((resolve) => setImmediate(resolve))
      }
      expect(consumed).toBe(3000)
      expect(ahead).toBeLessThanOrEqual(2 * batch)
    })
  })

  it('destroyed mid-stream (break), it closes the cursor and leaves the client usable', async () => {
    await withClient(async (client) => {
      const stream = client.query(
        h.newStream('select g from generate_series(1, 1000000) g', [], { batchSize: 100 }),
      )
      let count = 0
      for await (const _row of stream) {
        if (++count === 250) break
      }
      expect(stream.destroyed).toBe(true)
      expect((await client.query('select 7 as ok')).rows).toEqual([{ ok: 7 }])
      await expectClean(client)
    })
  })

  it('destroyed before its first row, it leaves the client usable', async () => {
    await withClient(async (client) => {
      const stream = client.query(h.newStream('select g from generate_series(1, 1000) g'))
      const closed = new Promise((resolve) => stream.once('close', resolve))
      stream.destroy()
      await closed
      expect((await client.query('select 8 as ok')).rows).toEqual([{ ok: 8 }])
      await expectClean(client)
    })
  })

  it('fails with the server’s error, and the client goes on', async () => {
    await withClient(async (client) => {
      const err = await rejection(drain(client.query(h.newStream('select 1/0 as boom'))))
      expect(err).toBeInstanceOf(h.DatabaseError)
      expect((err as { code?: string }).code).toBe('22012')
      expect(err.message).toBe('division by zero')
      const late = client.query(
        h.newStream('select 10 / (300 - g) as q from generate_series(1, 1000) g', [], {
          batchSize: 100,
        }),
      )
      const seen: unknown[] = []
      const lateErr = await rejection(
        (async () => {
          for await (const row of late) seen.push(row)
        })(),
      )
      expect((lateErr as { code?: string }).code).toBe('22012')
      expect(seen.length).toBeGreaterThanOrEqual(200)
      expect(seen.length).toBeLessThan(300)
      await expectClean(client)
    })
  })
})

describe.each(servers.map((s) => [s.name, s] as const))(
  '@tusk/pg-query-stream on the real pg, %s',
  (_n, server) => {
    it('fails with an InterfaceError and leaves the pg client usable', async () => {
      const client = new realPg.Client(server.url)
      await client.connect()
      try {
        const stream = client.query(new TuskQueryStream('select 1 as n') as never) as Readable
        const err = await rejection(drain(stream))
        expect(err).toBeInstanceOf(InterfaceError)
        expect((await client.query('select 5 as ok')).rows).toEqual([{ ok: 5 }])
      } finally {
        await client.end()
      }
    })
  },
)
