// The rowBuilder option of query() and exec(): rows are what the caller's builder returns, built
// from each row's values as they arrive (once per result for the builder, once per row for the
// row function), NULL as null, one builder call per result of a multi-statement script, errors
// of the builder failing the query, and the result-size guard still counting.
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, describe, expect, it } from 'vitest'
import {
  connect,
  createPool,
  errors,
  type FieldInfo,
  type RowBuilder,
  type Session,
} from '../../src/index.js'

const servers = testServers()
const open: Session[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})))
})

/** A builder that tags rows and counts its calls (per result and per row). */
function counting(): {
  builder: RowBuilder<{ tag: string; values: unknown[] }>
  described: FieldInfo[][]
  rows: number
} {
  const state = {
    described: [] as FieldInfo[][],
    rows: 0,
    builder: ((fields) => {
      state.described.push([...fields])
      const tag = fields.map((f) => f.name).join(',')
      return (values) => {
        state.rows++
        return { tag, values: [...values] }
      }
    }) as RowBuilder<{ tag: string; values: unknown[] }>,
  }
  return state
}

describe.each(servers.map((s) => [s.name, s] as const))('rowBuilder on %s', (_n, server) => {
  async function conn(): Promise<Session> {
    const c = await connect(server.url)
    open.push(c)
    return c
  }

  it('builds each row of query() with the decoded values, NULL as null', async () => {
    const c = await conn()
    const b = counting()
    const r = await c.query(
      'select g as n, case when g = 2 then null else g::text end as t from generate_series(1, 3) g where g > $1',
      [0],
      { rowBuilder: b.builder },
    )
    expect(b.described).toHaveLength(1)
    expect(b.described[0]?.map((f) => f.name)).toEqual(['n', 't'])
    expect(r.fields.map((f) => f.name)).toEqual(['n', 't'])
    expect(b.rows).toBe(3)
    expect(r.rows).toEqual([
      { tag: 'n,t', values: [1, '1'] },
      { tag: 'n,t', values: [2, null] },
      { tag: 'n,t', values: [3, '3'] },
    ])
    // The same statement again (now from the statement cache): the builder is called again.
    for (let i = 0; i < 6; i++) {
      const again = await c.query('select $1::int as x', [i], { rowBuilder: b.builder })
      expect(again.rows).toEqual([{ tag: 'x', values: [i] }])
    }
    expect(b.described).toHaveLength(7)
  })

  it('hands the builder the same fields array the result carries', async () => {
    const c = await conn()
    let seen: readonly FieldInfo[] | undefined
    const r = await c.query('select 1 as a', [], {
      rowBuilder: (fields) => {
        seen = fields
        return (values) => values[0]
      },
    })
    expect(r.fields).toBe(seen)
    expect(r.rows).toEqual([1])
  })

  it('builds the rows of every result of an exec() script, texts and NULL as null', async () => {
    const c = await conn()
    const b = counting()
    const results = await c.exec(
      `select 1 as a, null::text as b;
       create temp table rb_t (x int);
       insert into rb_t values (1), (2);
       select x, x * 2 as y from rb_t order by x;
       select 'z' as only where false`,
      { rowBuilder: b.builder },
    )
    expect(results.map((r) => r.command)).toEqual([
      'SELECT',
      'CREATE TABLE',
      'INSERT',
      'SELECT',
      'SELECT',
    ])
    expect(b.described.map((f) => f.map((x) => x.name))).toEqual([['a', 'b'], ['x', 'y'], ['only']])
    expect(results[0]?.rows).toEqual([{ tag: 'a,b', values: ['1', null] }])
    expect(results[1]?.rows).toEqual([])
    expect(results[3]?.rows).toEqual([
      { tag: 'x,y', values: ['1', '2'] },
      { tag: 'x,y', values: ['2', '4'] },
    ])
    expect(results[4]?.rows).toEqual([])
    expect(b.rows).toBe(3)
    // Without a builder, exec still gives arrays of texts.
    const [plain] = await c.exec('select 1 as a, null::text as b')
    expect(plain?.rows).toEqual([['1', null]])
  })

  it('fails the query with the error the builder or its row function threw', async () => {
    const c = await conn()
    const boom = new Error('no such row')
    await expect(
      c.query('select g from generate_series(1, 3) g', [], {
        rowBuilder: () => (values) => {
          if (values[0] === 2) throw boom
          return values[0]
        },
      }),
    ).rejects.toBe(boom)
    await expect(
      c.exec('select 1; select 2', {
        rowBuilder: () => {
          throw boom
        },
      }),
    ).rejects.toBe(boom)
    // The connection is fine afterwards.
    expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }])
  })

  it('still counts the row data against maxBytes', async () => {
    const c = await conn()
    const b = counting()
    const err = await c
      .query("select repeat('x', 1000) from generate_series(1, 100)", [], {
        rowBuilder: b.builder,
        maxBytes: 10_000,
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(errors.ResultTooLarge)
    expect(b.rows).toBeLessThanOrEqual(10)
    expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }])
  })

  it('takes rowBuilder through a pool and refuses a builder that is not a function', async () => {
    const pool = createPool(server.url, { max: 1 })
    try {
      const b = counting()
      const [r] = await pool.exec('select 7 as s', { rowBuilder: b.builder })
      expect(r?.rows).toEqual([{ tag: 's', values: ['7'] }])
      const q = await pool.query('select $1::int as s', [8], { rowBuilder: b.builder })
      expect(q.rows).toEqual([{ tag: 's', values: [8] }])
      await expect(
        pool.query('select 1', [], { rowBuilder: 'rows' as unknown as RowBuilder }),
      ).rejects.toBeInstanceOf(errors.InterfaceError)
    } finally {
      await pool.end()
    }
  })
})
