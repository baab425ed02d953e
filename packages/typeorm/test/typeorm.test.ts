/**
 * TypeORM on Tusk, on every release line it claims (lowest and highest of 0.3 and 1.x) and both
 * servers: repositories with relations, the query builder, raw SQL, transactions and nested ones
 * (savepoints), pg's value mapping, errors from the core's taxonomy inside QueryFailedError,
 * `useUTC`, migrations, a terminated connection that never returns to the pool, and no listener
 * leak under concurrency.
 */
import 'reflect-metadata'
import { errors } from '@tusk/core'
import QueryStream from '@tusk/pg-query-stream'
import { testServers } from '@tusk/testkit/vitest'
import type { DataSource, EntitySchema as EntitySchemaType, MigrationInterface } from 'typeorm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDataSource, dataSourceOptions, withCursorStreams } from '../src/index.js'
import { TYPEORM_RELEASES } from './typeorm-versions.js'

interface Author {
  id: number
  name: string
  books?: Book[]
}
interface Book {
  id: number
  title: string
  pages: string | number | null
  price: string | null
  publishedAt: Date | null
  tags: string[] | null
  meta: Record<string, unknown> | null
  author?: Author
}

function entities(EntitySchema: typeof EntitySchemaType, suffix: string) {
  const AuthorEntity = new EntitySchema<Author>({
    name: `Author${suffix}`,
    tableName: `orm_authors${suffix}`,
    columns: {
      id: { type: 'int', primary: true, generated: true },
      name: { type: 'text', unique: true },
    },
    relations: {
      books: { type: 'one-to-many', target: `Book${suffix}`, inverseSide: 'author' },
    },
  })
  const BookEntity = new EntitySchema<Book>({
    name: `Book${suffix}`,
    tableName: `orm_books${suffix}`,
    columns: {
      id: { type: 'int', primary: true, generated: true },
      title: { type: 'text' },
      pages: { type: 'bigint', nullable: true },
      price: { type: 'numeric', precision: 10, scale: 2, nullable: true },
      publishedAt: { type: 'timestamptz', nullable: true },
      tags: { type: 'text', array: true, nullable: true },
      meta: { type: 'jsonb', nullable: true },
    },
    relations: {
      author: { type: 'many-to-one', target: `Author${suffix}`, inverseSide: 'books' },
    },
  })
  return { AuthorEntity, BookEntity }
}

describe.each(
  testServers().flatMap((server) =>
    TYPEORM_RELEASES.map(
      (release) => [`${server.name}, typeorm ${release.version}`, server, release] as const,
    ),
  ),
)('on %s', (_label, server, release) => {
  const typeorm = release.load()
  const suffix = `_${release.version.replaceAll('.', '_')}`
  const { AuthorEntity, BookEntity } = entities(typeorm.EntitySchema, suffix)
  let ds: DataSource

  beforeAll(async () => {
    ds = new typeorm.DataSource(
      dataSourceOptions({
        url: server.url,
        entities: [AuthorEntity, BookEntity],
        synchronize: true,
        dropSchema: false,
        poolSize: 4,
      }),
    )
    await ds.initialize()
    await ds.query(`truncate orm_books${suffix}, orm_authors${suffix} restart identity cascade`)
  })
  afterAll(async () => {
    if (ds?.isInitialized) {
      await ds.query(`drop table if exists orm_books${suffix}, orm_authors${suffix} cascade`)
      await ds.destroy()
    }
  })

  it('saves and reads entities with relations, with pg’s value mapping', async () => {
    const authors = ds.getRepository<Author>(AuthorEntity)
    const books = ds.getRepository<Book>(BookEntity)
    const author = await authors.save({ name: 'Le Guin' })
    const when = new Date('2001-02-03T04:05:06.789Z')
    await books.save([
      {
        title: 'The Dispossessed',
        pages: '9007199254740993',
        price: '12.50',
        publishedAt: when,
        tags: ['sf', 'a "quoted" tag', 'comma,tag'],
        meta: { nested: { n: 1 }, list: [1, 'two'] },
        author,
      },
      {
        title: 'Lavinia',
        pages: null,
        price: null,
        publishedAt: null,
        tags: [],
        meta: null,
        author,
      },
    ])
    const found = await authors.findOne({
      where: { name: 'Le Guin' },
      relations: { books: true },
      order: { books: { id: 'ASC' } },
    })
    expect(found?.books?.map((b) => b.title)).toEqual(['The Dispossessed', 'Lavinia'])
    const [first, second] = found!.books!
    // int8 and numeric come back as strings, as with pg: no precision is lost.
    expect(first).toMatchObject({
      pages: '9007199254740993',
      price: '12.50',
      tags: ['sf', 'a "quoted" tag', 'comma,tag'],
      meta: { nested: { n: 1 }, list: [1, 'two'] },
    })
    expect(first!.publishedAt).toBeInstanceOf(Date)
    expect(first!.publishedAt!.toISOString()).toBe(when.toISOString())
    expect(second).toMatchObject({
      pages: null,
      price: null,
      publishedAt: null,
      tags: [],
      meta: null,
    })
  })

  it('runs the query builder and raw SQL with parameters', async () => {
    const rows = await ds
      .getRepository<Book>(BookEntity)
      .createQueryBuilder('b')
      .innerJoinAndSelect('b.author', 'a')
      .where('a.name = :name', { name: 'Le Guin' })
      .andWhere('b.title like :t', { t: 'The %' })
      .getMany()
    expect(rows.map((r) => [r.title, r.author?.name])).toEqual([['The Dispossessed', 'Le Guin']])
    const raw = await ds.query('select $1::int + $2::int as sum, $3::text as t', [2, 3, 'x'])
    expect(raw).toEqual([{ sum: 5, t: 'x' }])
    const count = await ds.getRepository<Book>(BookEntity).countBy({ title: 'Lavinia' })
    expect(count).toBe(1)
  })

  it('commits a transaction, rolls back one that throws, and nests as savepoints', async () => {
    const authors = ds.getRepository<Author>(AuthorEntity)
    await ds.transaction(async (m) => {
      await m.save(AuthorEntity, { name: 'kept' })
    })
    await expect(
      ds.transaction(async (m) => {
        await m.save(AuthorEntity, { name: 'undone' })
        throw new Error('stop')
      }),
    ).rejects.toThrow('stop')
    const runner = ds.createQueryRunner()
    try {
      await runner.startTransaction('SERIALIZABLE')
      await runner.manager.save(AuthorEntity, { name: 'outer' })
      await runner.startTransaction()
      await runner.manager.save(AuthorEntity, { name: 'inner' })
      await runner.rollbackTransaction()
      const level = await runner.query('show transaction_isolation')
      expect(level).toEqual([{ transaction_isolation: 'serializable' }])
      await runner.commitTransaction()
    } finally {
      await runner.release()
    }
    const names = (await authors.find({ order: { id: 'ASC' } })).map((a) => a.name)
    expect(names).toContain('kept')
    expect(names).toContain('outer')
    expect(names).not.toContain('undone')
    expect(names).not.toContain('inner')
  })

  it('wraps a database error in QueryFailedError with the core’s class as driverError', async () => {
    const err = await ds
      .getRepository<Author>(AuthorEntity)
      .insert({ name: 'kept' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(typeorm.QueryFailedError)
    const driverError = (err as { driverError: unknown }).driverError
    expect(driverError).toBeInstanceOf(errors.UniqueViolation)
    expect(driverError).toMatchObject({
      code: '23505',
      constraint: expect.stringMatching(/^UQ_/),
      table: `orm_authors${suffix}`,
    })
    // TypeORM copies pg's fields onto its error.
    expect(err).toMatchObject({ code: '23505' })
  })

  it('runs and reverts migrations through the data source', async () => {
    const table = `orm_migrated${suffix}`
    class CreateMigrated1700000000000 implements MigrationInterface {
      name = `CreateMigrated${suffix}1700000000000`
      async up(runner: import('typeorm').QueryRunner): Promise<void> {
        await runner.query(`create table ${table} (id int primary key)`)
      }
      async down(runner: import('typeorm').QueryRunner): Promise<void> {
        await runner.query(`drop table ${table}`)
      }
    }
    const migrating = new typeorm.DataSource(
      dataSourceOptions({
        url: server.url,
        migrations: [CreateMigrated1700000000000],
        migrationsTableName: `orm_migrations${suffix}`,
      }),
    )
    await migrating.initialize()
    try {
      const ran = await migrating.runMigrations({ transaction: 'each' })
      expect(ran.map((m) => m.name)).toEqual([`CreateMigrated${suffix}1700000000000`])
      expect(await migrating.query('select to_regclass($1) as t', [table])).toEqual([{ t: table }])
      await migrating.undoLastMigration()
      expect(await migrating.query('select to_regclass($1) as t', [table])).toEqual([{ t: null }])
    } finally {
      await migrating.query(`drop table if exists orm_migrations${suffix}`)
      await migrating.destroy()
    }
  })

  it('never hands out a connection whose session the server ended', async () => {
    const runner = ds.createQueryRunner()
    await runner.connect()
    const [{ pid }] = (await runner.query('select pg_backend_pid() as pid')) as [{ pid: number }]
    await ds.query('select pg_terminate_backend($1)', [pid])
    const lost = await runner.query('select 1').catch((e: unknown) => e)
    expect(lost).toBeInstanceOf(typeorm.QueryFailedError)
    await runner.release()
    // Every later checkout gets a live session, never the ended one.
    const pids = await Promise.all(
      Array.from({ length: 8 }, () => ds.query('select pg_backend_pid() as pid')),
    )
    for (const [row] of pids) expect(row.pid).not.toBe(pid)
  })

  it('streams through the core’s cursors with withCursorStreams(), not the pg-query-stream package', async () => {
    const streaming = withCursorStreams(
      new typeorm.DataSource(dataSourceOptions({ url: server.url, poolSize: 2 })),
    )
    await streaming.initialize()
    try {
      const runner = streaming.createQueryRunner()
      const stream = await runner.stream(
        'select g as n, repeat($1, 10) as pad from generate_series(1, 50000) g',
        ['x'],
      )
      expect(stream).toBeInstanceOf(QueryStream)
      let count = 0
      let sum = 0
      for await (const row of stream as AsyncIterable<{ n: number; pad: string }>) {
        count++
        sum += row.n
        if (count === 1) expect(row.pad).toBe('xxxxxxxxxx')
      }
      expect([count, sum]).toEqual([50000, (50000 * 50001) / 2])
      await runner.release()

      // A stream destroyed early frees its connection for the next caller.
      const early = streaming.createQueryRunner()
      const partial = await early.stream('select g from generate_series(1, 100000) g')
      let seen = 0
      for await (const _row of partial as AsyncIterable<unknown>) {
        if (++seen === 10) break
      }
      await early.release()
      const results = await Promise.all(
        Array.from({ length: 4 }, () => streaming.query('select 1 as one')),
      )
      expect(results).toEqual(Array.from({ length: 4 }, () => [{ one: 1 }]))

      // The query builder's stream() takes the same path.
      const qbStream = await streaming
        .createQueryBuilder()
        .select('a.name', 'name')
        .from(`orm_authors${suffix}`, 'a')
        .orderBy('a.name')
        .stream()
      expect(qbStream).toBeInstanceOf(QueryStream)
      const rows: unknown[] = []
      for await (const row of qbStream as AsyncIterable<unknown>) rows.push(row)
      const expected = await ds.query(`select name from orm_authors${suffix} order by name`)
      expect(expected.length).toBeGreaterThan(0)
      expect(rows).toEqual(expected)
    } finally {
      await streaming.destroy()
    }
  })

  it('adds no listener per checkout: many concurrent queries raise no MaxListeners warning', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error): void => {
      warnings.push(w)
    }
    process.on('warning', onWarning)
    try {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_v, i) =>
          ds.getRepository<Author>(AuthorEntity).findOneBy({ name: i % 2 ? 'kept' : 'outer' }),
        ),
      )
      expect(results.every((r) => r !== null)).toBe(true)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
  })
})

describe.each(TYPEORM_RELEASES.map((r) => [r.version, r] as const))(
  'typeorm %s options',
  (_v, release) => {
    const typeorm = release.load()
    const server = testServers()[0]!

    it('useUTC starts every session in UTC; parseInt8 maps int8 to number', async () => {
      const before = process.env.PGTZ
      const ds = new typeorm.DataSource(
        dataSourceOptions({ url: server.url, useUTC: true, parseInt8: true }),
      )
      await ds.initialize()
      try {
        const runners = Array.from({ length: 3 }, () => ds.createQueryRunner())
        for (const r of runners) await r.connect()
        for (const r of runners) {
          expect(await r.query('show timezone')).toEqual([{ TimeZone: 'UTC' }])
        }
        await Promise.all(runners.map((r) => r.release()))
        // TypeORM passes parseInt8 on to the driver's defaults since 0.3.11; before, int8 stays
        // a string, as it does on pg.
        const [major, minor, patch] = release.version.split('.').map(Number) as [
          number,
          number,
          number,
        ]
        const parses = major >= 1 || minor > 3 || patch >= 11
        expect(await ds.query('select 42::int8 as n')).toEqual([{ n: parses ? 42 : '42' }])
      } finally {
        await ds.destroy()
        if (before === undefined) delete process.env.PGTZ
        else process.env.PGTZ = before
        const { defaults } = await import('@tusk/pg-compat')
        defaults.parseInt8 = false
      }
    })

    it('a bad URL fails initialize() with the core’s ConfigError', async () => {
      const ds = new typeorm.DataSource(dataSourceOptions({ url: 'postgres://h:notaport/db' }))
      const err = await ds.initialize().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(errors.ConfigError)
      expect(String((err as Error).message)).toMatch(/port/)
    })
  },
)

describe('dataSourceOptions', () => {
  it('sets type and driver, and refuses what would run elsewhere', async () => {
    const { driver } = await import('../src/index.js')
    expect(dataSourceOptions({ url: 'postgres://x/y' })).toMatchObject({
      type: 'postgres',
      url: 'postgres://x/y',
      driver,
    })
    expect(driver.native).toBeNull()
    expect(() => dataSourceOptions({ type: 'mysql' } as never)).toThrow(errors.ConfigError)
    expect(() => dataSourceOptions({ driver: {} } as never)).toThrow(/remove the `driver` option/)
    expect(() => dataSourceOptions('postgres://x/y' as never)).toThrow(/pass \{ url \} instead/)
    expect(() => dataSourceOptions(null as never)).toThrow(errors.ConfigError)
  })

  it('createDataSource() builds a data source that streams; withCursorStreams() refuses others', async () => {
    const ds = createDataSource({ url: 'postgres://x/y' })
    expect(ds.options).toMatchObject({ type: 'postgres', url: 'postgres://x/y' })
    expect(
      (ds.driver as unknown as { loadStreamDependency(): unknown }).loadStreamDependency(),
    ).toBe(QueryStream)
    const typeorm = TYPEORM_RELEASES.at(-1)!.load()
    const onPg = new typeorm.DataSource({ type: 'postgres', url: 'postgres://x/y' })
    expect(() => withCursorStreams(onPg)).toThrow(errors.ConfigError)
    expect(() => withCursorStreams({} as never)).toThrow(/dataSourceOptions\(\)/)
    expect(() => createDataSource({ type: 'mysql' } as never)).toThrow(errors.ConfigError)
  })
})
