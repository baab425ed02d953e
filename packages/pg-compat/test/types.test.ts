/**
 * pg's value mapping through the alias: the default parsers per type, `pg.types.setTypeParser`
 * (module-wide), a client's `types` and `setTypeParser`, a query's `types`,
 * `pg.defaults.parseInt8`, `TypeOverrides`, and `builtins`.
 */
import { testServers } from '@tusk/testkit/vitest'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const servers = testServers()

describe.each(servers.map((s) => [s.name, s] as const))('type parsers on %s', (_name, server) => {
  let client: pg.Client

  beforeAll(async () => {
    client = new pg.Client(server.url)
    await client.connect()
  })

  afterAll(async () => {
    await client.end()
  })

  afterEach(() => {
    pg.defaults.parseInt8 = false
    pg.types.setTypeParser(
      pg.types.builtins.DATE,
      pg.types.getTypeParser(pg.types.builtins.TIMESTAMP),
    )
  })

  it('returns what pg returns for each built-in type by default', async () => {
    const r = await client.query(`select
      1::int2 as i2, 2::int4 as i4, 3::int8 as i8, 1.5::float4 as f4, 2.5::float8 as f8,
      1.10::numeric as num, true as yes, false as no, 'x'::text as txt, '{"a":1}'::json as js,
      '[1,2]'::jsonb as jsb, '\\x00ff'::bytea as bin, '2024-01-15'::date as d,
      '2024-01-15 10:30:00.123'::timestamp as ts, '2024-01-15 10:30:00+00'::timestamptz as tstz,
      '1 year 2 mons 3 days 04:05:06.5'::interval as iv, '(1,2)'::point as pt,
      '<(1,2),3>'::circle as circ, array[1,2]::int4[] as ia, array[1,2]::int8[] as i8a,
      array[1.5]::numeric[] as na, array['a','b c']::text[] as ta,
      '11111111-2222-3333-4444-555555555555'::uuid as id, '[1,3)'::int4range as rng,
      null::int4 as nothing, 'infinity'::timestamptz as inf, 42::oid as o`)
    const row = r.rows[0]!
    expect(row.i2).toBe(1)
    expect(row.i4).toBe(2)
    expect(row.i8).toBe('3')
    expect(row.f4).toBe(1.5)
    expect(row.f8).toBe(2.5)
    expect(row.num).toBe('1.10')
    expect([row.yes, row.no]).toEqual([true, false])
    expect(row.txt).toBe('x')
    expect(row.js).toEqual({ a: 1 })
    expect(row.jsb).toEqual([1, 2])
    expect(row.bin).toEqual(Buffer.from([0, 255]))
    expect(row.d).toEqual(new Date(2024, 0, 15))
    expect(row.ts).toEqual(new Date(2024, 0, 15, 10, 30, 0, 123))
    expect(row.tstz).toEqual(new Date(Date.UTC(2024, 0, 15, 10, 30)))
    expect({ ...row.iv }).toEqual({
      years: 1,
      months: 2,
      days: 3,
      hours: 4,
      minutes: 5,
      seconds: 6,
      milliseconds: 500,
    })
    expect(row.iv.constructor.name).toBe('PostgresInterval')
    expect(row.pt).toEqual({ x: 1, y: 2 })
    expect(row.circ).toEqual({ x: 1, y: 2, radius: 3 })
    expect(row.ia).toEqual([1, 2])
    expect(row.i8a).toEqual(['1', '2'])
    expect(row.na).toEqual([1.5])
    expect(row.ta).toEqual(['a', 'b c'])
    expect(row.id).toBe('11111111-2222-3333-4444-555555555555')
    expect(row.rng).toBe('[1,3)')
    expect(row.nothing).toBeNull()
    expect(row.inf).toBe(Number.POSITIVE_INFINITY)
    expect(row.o).toBe(42)
  })

  it('parses the simple protocol’s results with the same parsers', async () => {
    const r = await client.query("select 1::int4 as i, '2024-01-15'::date as d, 5::int8 as big")
    expect(r.rows).toEqual([{ i: 1, d: new Date(2024, 0, 15), big: '5' }])
  })

  it('applies pg.types.setTypeParser to every client of the module, existing ones included', async () => {
    pg.types.setTypeParser(pg.types.builtins.DATE, (text: string) => `day:${text}`)
    const other = new pg.Client(server.url)
    await other.connect()
    try {
      for (const c of [client, other]) {
        const r = await c.query("select '2024-01-15'::date as d, $1::date as p", ['2024-02-01'])
        expect(r.rows).toEqual([{ d: 'day:2024-01-15', p: 'day:2024-02-01' }])
      }
    } finally {
      await other.end()
    }
    expect(pg.types.getTypeParser(pg.types.builtins.DATE)('x')).toBe('day:x')
  })

  it('turns int8 into numbers with defaults.parseInt8 and back', async () => {
    pg.defaults.parseInt8 = true
    expect(pg.defaults.parseInt8).toBe(true)
    expect((await client.query('select 7::int8 as n, array[1,2]::int8[] as a')).rows).toEqual([
      { n: 7, a: [1, 2] },
    ])
    pg.defaults.parseInt8 = false
    expect((await client.query('select 7::int8 as n')).rows).toEqual([{ n: '7' }])
  })

  it('uses a client’s types and setTypeParser for that client only', async () => {
    const types = new pg.TypeOverrides()
    types.setTypeParser(pg.types.builtins.INT4, (text: string) => Number(text) * 10)
    const scoped = new pg.Client({ connectionString: server.url, types })
    await scoped.connect()
    try {
      expect((await scoped.query('select 2::int4 as n')).rows).toEqual([{ n: 20 }])
      scoped.setTypeParser(pg.types.builtins.TEXT, (text: string) => text.toUpperCase())
      expect((await scoped.query("select 'abc'::text as t")).rows).toEqual([{ t: 'ABC' }])
      expect((await client.query("select 2::int4 as n, 'abc'::text as t")).rows).toEqual([
        { n: 2, t: 'abc' },
      ])
    } finally {
      await scoped.end()
    }
  })

  it('uses a query’s types for that query only, with getTypeParser alone', async () => {
    const types = {
      getTypeParser: (oid: number, format?: string) =>
        oid === pg.types.builtins.BOOL
          ? (text: string) => `bool:${text}`
          : pg.types.getTypeParser(oid, format as 'text'),
    }
    const r = await client.query({ text: 'select true as b, 1::int4 as i', types })
    expect(r.rows).toEqual([{ b: 'bool:t', i: 1 }])
    expect((await client.query('select true as b')).rows).toEqual([{ b: true }])
  })

  it('parses each non-NULL value exactly once, per result, with rowMode array and row events too', async () => {
    const calls: string[] = []
    const types = {
      getTypeParser: (oid: number) =>
        oid === pg.types.builtins.INT4
          ? (text: string) => {
              calls.push(text)
              return Number(text) + 100
            }
          : (text: string) => text,
    }
    const r = await client.query({
      text: 'select g as n, case when g = 2 then null else g end as m from generate_series(1, 3) g where g > $1',
      values: [0],
      types,
    })
    expect(r.rows).toEqual([
      { n: 101, m: 101 },
      { n: 102, m: null },
      { n: 103, m: 103 },
    ])
    expect(calls.sort()).toEqual(['1', '1', '2', '3', '3'])
    calls.length = 0
    const query = new pg.Query({
      text: 'select 1::int4 as a, null::int4 as b; select 2::int4 as c union all select 3',
      rowMode: 'array',
      types,
    })
    const seen: [unknown, number][] = []
    query.on('row', (row: unknown, result: pg.QueryResult) => seen.push([row, result.rows.length]))
    const ended = new Promise((resolve) => query.on('end', resolve))
    client.query(query)
    await ended
    expect(calls.sort()).toEqual(['1', '2', '3'])
    expect(seen).toEqual([
      [[101, null], 0],
      [[102], 0],
      [[103], 1],
    ])
  })

  it('answers getTypeParser for unknown OIDs with the text itself, and refuses a bad setTypeParser', () => {
    expect(pg.types.getTypeParser(999_999)('as is')).toBe('as is')
    expect(() => pg.types.setTypeParser(-1, (t: string) => t)).toThrow(/OID/)
    expect(() => pg.types.setTypeParser(25, 'nope' as unknown as (t: string) => string)).toThrow(
      /function/,
    )
    expect(pg.types.builtins.INT8).toBe(20)
    expect(pg.types.builtins.JSONB).toBe(3802)
  })

  it('sends Date parameters in UTC with defaults.parseInputDatesAsUTC', async () => {
    const when = new Date(Date.UTC(2024, 0, 15, 12, 0, 0))
    pg.defaults.parseInputDatesAsUTC = true
    try {
      const r = await client.query('select $1::timestamp::text as wall', [when])
      expect(r.rows).toEqual([{ wall: '2024-01-15 12:00:00' }])
    } finally {
      pg.defaults.parseInputDatesAsUTC = false
    }
    const local = await client.query('select $1::timestamp::text as wall', [when])
    expect(local.rows).toEqual([{ wall: '2024-01-15 17:30:00' }])
  })

  it('has no native bindings', () => {
    expect(pg.native).toBeNull()
  })
})
