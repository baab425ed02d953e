/**
 * The real `pg-cursor` and `pg-query-stream` packages, installed with `pg` aliased to this
 * package: they load `pg/lib/result.js` and `pg/lib/utils.js` from it and drive its client.
 */
import { Readable } from 'node:stream'
import { testServers } from '@tusk/testkit/vitest'
import pg from 'pg'
import Cursor from 'pg-cursor'
import QueryStream from 'pg-query-stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejection } from './helpers.js'

const servers = testServers()

describe.each(servers.map((s) => [s.name, s] as const))(
  'pg-cursor and pg-query-stream on %s',
  (_name, server) => {
    let pool: pg.Pool

    beforeAll(() => {
      pool = new pg.Pool({ connectionString: server.url, max: 2 })
    })

    afterAll(async () => {
      await pool.end()
    })

    it('loads this package’s deep paths', async () => {
      const { createRequire } = await import('node:module')
      const require = createRequire(import.meta.url)
      const Result = require('pg/lib/result.js')
      const utils = require('pg/lib/utils.js')
      expect(Result).toBe(pg.Result)
      expect(utils.prepareValue(new Date(Date.UTC(2024, 0, 1)))).toBe(
        '2024-01-01T05:30:00.000+05:30',
      )
      expect(utils.prepareValue([1, 'a', null])).toBe('{"1","a",NULL}')
      expect(utils.prepareValue(Buffer.from('ab'))).toEqual(Buffer.from('ab'))
    })

    it('reads a cursor in batches with promises, parsing with pg’s parsers, then closes it', async () => {
      const client = await pool.connect()
      try {
        const cursor = client.query(
          new Cursor(
            'select g, g::int8 as big, now()::date as d from generate_series(1, $1::int) g',
            [250],
          ),
        )
        const first = await cursor.read(10)
        expect(first).toHaveLength(10)
        expect(first[0].g).toBe(1)
        expect(first[0].big).toBe('1')
        expect(first[0].d).toBeInstanceOf(Date)
        const rest = await cursor.read(1_000)
        expect(rest).toHaveLength(240)
        expect(rest.at(-1).g).toBe(250)
        expect(await cursor.read(10)).toEqual([])
        await cursor.close()
        expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
      } finally {
        client.release()
      }
    })

    it('reads a cursor with callbacks and rowMode array, and closes it early', async () => {
      const client = await pool.connect()
      try {
        const cursor = client.query(
          new Cursor('select g from generate_series(1, 1000) g', [], { rowMode: 'array' }),
        )
        const rows = await new Promise<unknown[]>((resolve, reject) =>
          cursor.read(5, (err, batch) => (err ? reject(err) : resolve(batch))),
        )
        expect(rows).toEqual([[1], [2], [3], [4], [5]])
        await new Promise<void>((resolve) => cursor.close(() => resolve()))
        // Queries after the cursor wait for it and run on a clean connection.
        expect((await client.query('select 2 as ok')).rows).toEqual([{ ok: 2 }])
        const status = await client.query('select count(*)::int as n from pg_cursors')
        expect(status.rows).toEqual([{ n: 0 }])
      } finally {
        client.release()
      }
    })

    it('reports a failing cursor’s error to its read and keeps the client usable', async () => {
      const client = await pool.connect()
      try {
        const cursor = client.query(new Cursor('select * from compat_no_such_table'))
        const err = (await rejection(cursor.read(10))) as pg.DatabaseError
        expect(err.code).toBe('42P01')
        expect((await client.query('select 3 as ok')).rows).toEqual([{ ok: 3 }])
      } finally {
        client.release()
      }
    })

    it('uses a cursor’s own types', async () => {
      const client = await pool.connect()
      try {
        const types = { getTypeParser: () => (text: string) => `t:${text}` }
        const cursor = client.query(new Cursor('select 1 as n', [], { types }))
        expect(await cursor.read(1)).toEqual([{ n: 't:1' }])
        await cursor.close()
      } finally {
        client.release()
      }
    })

    it('streams every row with pg-query-stream, in order, with backpressure batches', async () => {
      const client = await pool.connect()
      try {
        const stream = client.query(
          new QueryStream('select g from generate_series(1, $1::int) g', [1234], {
            batchSize: 100,
          }),
        )
        expect(stream).toBeInstanceOf(Readable)
        const seen: number[] = []
        for await (const row of stream) seen.push(row.g)
        expect(seen).toHaveLength(1234)
        expect(seen[0]).toBe(1)
        expect(seen.at(-1)).toBe(1234)
        expect((await client.query('select 4 as ok')).rows).toEqual([{ ok: 4 }])
      } finally {
        client.release()
      }
    })

    it('destroys a stream early and leaves the client clean', async () => {
      const client = await pool.connect()
      try {
        const stream = client.query(
          new QueryStream('select g from generate_series(1, 100000) g', [], { batchSize: 50 }),
        )
        let count = 0
        for await (const _row of stream) {
          if (++count === 120) break
        }
        expect(count).toBe(120)
        expect((await client.query('select 5 as ok')).rows).toEqual([{ ok: 5 }])
        expect((await client.query('select count(*)::int as n from pg_cursors')).rows).toEqual([
          { n: 0 },
        ])
      } finally {
        client.release()
      }
    })

    it('emits a stream error for a failing query', async () => {
      const client = await pool.connect()
      try {
        const stream = client.query(new QueryStream('select 1/0 as boom'))
        const err = (await rejection(
          (async () => {
            for await (const _row of stream) {
              // drain
            }
          })(),
        )) as pg.DatabaseError
        expect(err.code).toBe('22012')
        expect((await client.query('select 6 as ok')).rows).toEqual([{ ok: 6 }])
      } finally {
        client.release()
      }
    })
  },
)
