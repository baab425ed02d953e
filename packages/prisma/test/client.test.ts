/**
 * @tusk/prisma under Prisma Client 7 (generated from test/prisma/schema.prisma in the global
 * set-up), against real servers: every column type both ways, compared value for value with
 * @prisma/adapter-pg on the same rows; errors as Prisma's codes with the core's error kept;
 * interactive and batch transactions, isolation levels and rollback; the schema option; dispose.
 */
import { PrismaPg } from '@prisma/adapter-pg'
import { createPool, errors, type Pool } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PrismaTusk, TuskDriverAdapterError } from '../dist/index.js'
import { Prisma, PrismaClient } from './generated/client.js'
import { dropDatabase, freshDatabase, rejection } from './helpers.js'

const servers = testServers()

/** The last line of a Prisma error message (the lines above quote the calling code). */
function lastLine(message: string): string {
  return message.trim().split('\n').at(-1) ?? ''
}

/** A row with a value in every column, at the edges Prisma must keep exact. */
function fullSample(id: string) {
  return {
    id,
    int: -2147483648,
    small: 32767,
    big: 9007199254740993n,
    oid: 4000000000,
    float: 0.1 + 0.2,
    real: 1.5,
    decimal: new Prisma.Decimal('12345678901234567890.0123456789'),
    money: new Prisma.Decimal('-1234.56'),
    bool: true,
    text: 'snow ☃ and "quotes" \\ backslash',
    char: 'ab',
    varchar: 'abcde',
    xml: '<a>1</a>',
    inet: '192.168.0.1/24',
    bit: '1010',
    varbit: '101',
    citextLike: '',
    uuid: '6ee1b8c0-5c02-4b3e-9c1a-3f3cf2a0d3b1',
    ts: new Date('2024-02-29T23:59:59.123Z'),
    tstz: new Date('1999-12-31T18:30:00.001Z'),
    ts3: new Date('1970-01-01T00:00:00.000Z'),
    date: new Date('2024-02-29T00:00:00.000Z'),
    time: new Date('1970-01-01T13:14:15.678Z'),
    timetz: new Date('1970-01-01T01:02:03.004Z'),
    json: { a: [1, 2.5, 'x', null, true], nested: { big: '9007199254740993' } },
    jsonPlain: [1, { b: 'c' }],
    bytes: new Uint8Array([0, 1, 2, 254, 255]),
    mood: 'so_so' as const,
    ints: [1, -2, 2147483647],
    bigs: [-9223372036854775808n, 0n, 9223372036854775807n],
    floats: [1.25, -5e-324, 1e300],
    decimals: [new Prisma.Decimal('0.000000000000000000000000000001'), new Prisma.Decimal('-7')],
    bools: [true, false],
    texts: ['a', '', 'with,comma', 'with "quote"', 'NULL'],
    uuids: ['00000000-0000-0000-0000-000000000000'],
    stamps: [new Date('2000-01-01T00:00:00.000Z'), new Date('2038-01-19T03:14:08.999Z')],
    dates: [new Date('0001-01-01T00:00:00.000Z'), new Date('9999-12-31T00:00:00.000Z')],
    jsons: [{ k: 1 }, [2], 'three'],
    blobs: [new Uint8Array([1]), new Uint8Array([])],
    moods: ['happy' as const, 'sad' as const],
  }
}

describe.each(servers)('Prisma Client on @tusk/prisma, $name', (server) => {
  const dbname = `tusk_prisma_client_${server.major}`
  let url: string
  let prisma: PrismaClient
  let reference: PrismaClient

  beforeAll(async () => {
    url = await freshDatabase(server.url, dbname, ['alt'])
    prisma = new PrismaClient({ adapter: new PrismaTusk(url) })
    reference = new PrismaClient({ adapter: new PrismaPg(url) })
  })

  afterAll(async () => {
    await prisma?.$disconnect()
    await reference?.$disconnect()
    await dropDatabase(server.url, dbname)
  })

  it('writes and reads every column type, equal to what @prisma/adapter-pg reads', async () => {
    const sample = fullSample('11111111-1111-4111-8111-111111111111')
    const created = await prisma.sample.create({ data: sample })
    const read = await prisma.sample.findUniqueOrThrow({ where: { id: sample.id } })
    const theirs = await reference.sample.findUniqueOrThrow({ where: { id: sample.id } })
    expect(read).toEqual(theirs)
    expect(created).toEqual(read)
    expect(read.big).toBe(9007199254740993n)
    expect(read.bigs).toEqual(sample.bigs)
    expect(read.decimal?.toFixed(10)).toBe('12345678901234567890.0123456789')
    expect(read.money?.toString()).toBe('-1234.56')
    expect(read.decimals.map((d) => d.toString())).toEqual(['1e-30', '-7'])
    expect(read.float).toBe(0.1 + 0.2)
    expect(read.floats).toEqual([1.25, -5e-324, 1e300])
    expect(read.ts?.toISOString()).toBe('2024-02-29T23:59:59.123Z')
    expect(read.tstz?.toISOString()).toBe('1999-12-31T18:30:00.001Z')
    expect(read.date?.toISOString()).toBe('2024-02-29T00:00:00.000Z')
    expect(read.time?.toISOString()).toBe('1970-01-01T13:14:15.678Z')
    expect(read.timetz?.toISOString()).toBe('1970-01-01T01:02:03.004Z')
    expect(read.stamps.map((d) => d.toISOString())).toEqual([
      '2000-01-01T00:00:00.000Z',
      '2038-01-19T03:14:08.999Z',
    ])
    expect(read.dates.map((d) => d.toISOString())).toEqual([
      '0001-01-01T00:00:00.000Z',
      '9999-12-31T00:00:00.000Z',
    ])
    expect(read.json).toEqual(sample.json)
    expect(read.jsons).toEqual(sample.jsons)
    expect(Array.from(read.bytes ?? [])).toEqual([0, 1, 2, 254, 255])
    expect(read.blobs.map((b) => Array.from(b))).toEqual([[1], []])
    expect(read.char).toBe('ab ')
    expect(read.texts).toEqual(sample.texts)
    expect(read.mood).toBe('so_so')
    expect(read.moods).toEqual(['happy', 'sad'])
  })

  it('reads what @prisma/adapter-pg wrote, and the other way round', async () => {
    const a = fullSample('22222222-2222-4222-8222-222222222222')
    const b = fullSample('33333333-3333-4333-8333-333333333333')
    await reference.sample.create({ data: a })
    await prisma.sample.create({ data: b })
    const ours = await prisma.sample.findMany({
      where: { id: { in: [a.id, b.id] } },
      orderBy: { id: 'asc' },
    })
    const theirs = await reference.sample.findMany({
      where: { id: { in: [a.id, b.id] } },
      orderBy: { id: 'asc' },
    })
    expect(ours).toEqual(theirs)
    expect({ ...ours[0], id: '' }).toEqual({ ...ours[1], id: '' })
  })

  it('keeps a row of NULLs and empty lists', async () => {
    const id = '44444444-4444-4444-8444-444444444444'
    await prisma.sample.create({ data: { id } })
    const row = await prisma.sample.findUniqueOrThrow({ where: { id } })
    expect(row.int).toBeNull()
    expect(row.json).toBeNull()
    expect(row.ints).toEqual([])
    expect(row).toEqual(await reference.sample.findUniqueOrThrow({ where: { id } }))
  })

  it('filters by each argument type', async () => {
    const s = fullSample('55555555-5555-4555-8555-555555555555')
    await prisma.sample.create({ data: s })
    const where = [
      { big: s.big },
      { decimal: s.decimal },
      { ts: s.ts },
      { tstz: s.tstz },
      { date: s.date },
      { time: s.time },
      { bytes: s.bytes },
      { mood: s.mood },
      { uuid: s.uuid },
      { bigs: { has: 9223372036854775807n } },
      { moods: { hasEvery: ['happy', 'sad'] } },
      { stamps: { has: new Date('2038-01-19T03:14:08.999Z') } },
      { json: { path: ['nested', 'big'], equals: '9007199254740993' } },
      {
        tstz: {
          gt: new Date('1999-12-31T18:30:00.000Z'),
          lt: new Date('1999-12-31T18:30:00.002Z'),
        },
      },
    ] satisfies Prisma.SampleWhereInput[]
    for (const w of where) {
      const ids = (
        await prisma.sample.findMany({ where: { AND: [w, { id: s.id }] }, select: { id: true } })
      ).map((r) => r.id)
      expect(
        ids,
        JSON.stringify(w, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toEqual([s.id])
    }
  })

  it('returns raw query values with the types Prisma gives them', async () => {
    const [row] = await prisma.$queryRaw<Record<string, unknown>[]>`
      select 1::int4 as i, 9007199254740993::int8 as b, 1.50::numeric as n, 'x'::text as t,
        true as bool, '2024-01-02 03:04:05.678901+05:30'::timestamptz as tz,
        '2024-01-02 03:04:05.5'::timestamp as ts, '2024-01-02'::date as d,
        '{"a":1}'::jsonb as j, '\\x0102'::bytea as by, array[1,2]::int4[] as ia,
        '1 day 02:00:00'::interval as iv, 'happy'::"Mood" as m, ${42} as p`
    expect(row).toEqual({
      i: 1,
      b: 9007199254740993n,
      n: new Prisma.Decimal('1.50'),
      t: 'x',
      bool: true,
      tz: new Date('2024-01-01T21:34:05.678Z'),
      ts: new Date('2024-01-02T03:04:05.500Z'),
      d: new Date('2024-01-02T00:00:00.000Z'),
      j: { a: 1 },
      by: new Uint8Array([1, 2]),
      ia: [1, 2],
      iv: '1 day 02:00:00',
      m: 'happy',
      // An untyped parameter is text to the server, on both adapters.
      p: '42',
    })
  })

  it('reads timestamptz as the same instant whatever the session TimeZone', async () => {
    const zoned = new PrismaClient({
      adapter: new PrismaTusk(url, {
        pool: { init: async (s) => void (await s.exec("SET TimeZone = 'America/St_Johns'")) },
      }),
    })
    try {
      const id = '66666666-6666-4666-8666-666666666666'
      await zoned.sample.create({ data: { id, tstz: new Date('2024-06-30T23:59:59.999Z') } })
      const read = await zoned.sample.findUniqueOrThrow({ where: { id } })
      expect(read.tstz?.toISOString()).toBe('2024-06-30T23:59:59.999Z')
      const utc = await prisma.sample.findUniqueOrThrow({ where: { id } })
      expect(utc.tstz?.toISOString()).toBe('2024-06-30T23:59:59.999Z')
      const [raw] = await zoned.$queryRaw<
        { tz: Date }[]
      >`select '2024-01-02 03:04:05.678901+00'::timestamptz as tz`
      expect(raw?.tz.toISOString()).toBe('2024-01-02T03:04:05.678Z')
    } finally {
      await zoned.$disconnect()
    }
  })

  describe('errors', () => {
    it('a unique violation is P2002 naming the fields, with the core error kept', async () => {
      await prisma.author.create({ data: { email: 'dup@example.com', name: 'a' } })
      const err = await rejection(() =>
        prisma.author.create({ data: { email: 'dup@example.com', name: 'b' } }),
      )
      expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError)
      const known = err as Prisma.PrismaClientKnownRequestError
      expect(known.code).toBe('P2002')
      const adapterError = (known.meta as { driverAdapterError: TuskDriverAdapterError })
        .driverAdapterError
      expect(adapterError).toBeInstanceOf(TuskDriverAdapterError)
      expect(adapterError.cause).toMatchObject({
        kind: 'UniqueConstraintViolation',
        constraint: { fields: ['email'] },
        table: 'Author',
        originalCode: '23505',
      })
      expect(adapterError.original).toBeInstanceOf(errors.UniqueViolation)
      expect(adapterError.original).toMatchObject({
        constraint: 'Author_email_key',
        table: 'Author',
      })
      const theirs = await rejection(() =>
        reference.author.create({ data: { email: 'dup@example.com', name: 'b' } }),
      )
      expect((theirs as Prisma.PrismaClientKnownRequestError).code).toBe('P2002')
      // The fields, as Prisma's own engines say it (@prisma/adapter-pg names the index instead).
      expect(lastLine(known.message)).toBe('Unique constraint failed on the fields: (`email`)')
    })

    it('a composite unique violation names both fields', async () => {
      await prisma.author.create({ data: { email: 'c1@example.com', name: 'same', nick: 'n' } })
      const err = (await rejection(() =>
        prisma.author.create({ data: { email: 'c2@example.com', name: 'same', nick: 'n' } }),
      )) as Prisma.PrismaClientKnownRequestError
      expect(err.code).toBe('P2002')
      const cause = (err.meta as { driverAdapterError: TuskDriverAdapterError }).driverAdapterError
        .cause
      expect(cause).toMatchObject({ constraint: { fields: ['name', 'nick'] } })
    })

    it('a foreign key violation is P2003', async () => {
      const err = (await rejection(() =>
        prisma.post.create({ data: { title: 't', authorId: 999999 } }),
      )) as Prisma.PrismaClientKnownRequestError
      expect(err.code).toBe('P2003')
      const adapterError = (err.meta as { driverAdapterError: TuskDriverAdapterError })
        .driverAdapterError
      expect(adapterError.cause).toMatchObject({
        kind: 'ForeignKeyConstraintViolation',
        constraint: { index: 'Post_authorId_fkey' },
      })
      expect(adapterError.original).toBeInstanceOf(errors.ForeignKeyViolation)
    })

    it('deleting a row a restricting relation still needs fails with the core error kept', async () => {
      const author = await prisma.author.create({ data: { email: 'r@example.com', name: 'r' } })
      await prisma.profile.create({ data: { bio: 'b', authorId: author.id } })
      const err = (await rejection(() =>
        prisma.author.delete({ where: { id: author.id } }),
      )) as Prisma.PrismaClientKnownRequestError
      const theirs = (await rejection(() =>
        reference.author.delete({ where: { id: author.id } }),
      )) as Prisma.PrismaClientKnownRequestError
      expect(err.code).toBe(theirs.code)
      expect(
        (err.meta as { driverAdapterError: TuskDriverAdapterError }).driverAdapterError.original,
      ).toBeInstanceOf(errors.IntegrityError)
    })

    it('a value too long for its column is P2000', async () => {
      const err = (await rejection(() =>
        prisma.author.create({ data: { email: 'long@example.com', name: 'x'.repeat(21) } }),
      )) as Prisma.PrismaClientKnownRequestError
      expect(err.code).toBe('P2000')
      const adapterError = (err.meta as { driverAdapterError: TuskDriverAdapterError })
        .driverAdapterError
      expect(adapterError.cause).toMatchObject({ kind: 'LengthMismatch', originalCode: '22001' })
      expect(adapterError.original).toBeInstanceOf(errors.StringDataRightTruncation)
    })

    it('a missing table is P2021 and a missing column P2022, as on @prisma/adapter-pg', async () => {
      const scratch = `tusk_prisma_missing_${server.major}`
      const scratchUrl = await freshDatabase(server.url, scratch)
      const ours = new PrismaClient({ adapter: new PrismaTusk(scratchUrl) })
      const theirs = new PrismaClient({ adapter: new PrismaPg(scratchUrl) })
      try {
        await ours.$executeRawUnsafe('alter table "Author" drop column "nick"')
        const col = (await rejection(() =>
          ours.author.findMany(),
        )) as Prisma.PrismaClientKnownRequestError
        const colRef = (await rejection(() =>
          theirs.author.findMany(),
        )) as Prisma.PrismaClientKnownRequestError
        expect(col.code).toBe('P2022')
        expect(lastLine(col.message)).toBe(lastLine(colRef.message))
        await ours.$executeRawUnsafe('drop table "Post"')
        const table = (await rejection(() =>
          ours.post.findMany(),
        )) as Prisma.PrismaClientKnownRequestError
        const tableRef = (await rejection(() =>
          theirs.post.findMany(),
        )) as Prisma.PrismaClientKnownRequestError
        expect(table.code).toBe('P2021')
        expect(lastLine(table.message)).toBe(lastLine(tableRef.message))
        expect(
          (table.meta as { driverAdapterError: TuskDriverAdapterError }).driverAdapterError
            .original,
        ).toBeInstanceOf(errors.UndefinedTable)
      } finally {
        await ours.$disconnect()
        await theirs.$disconnect()
        await dropDatabase(server.url, scratch)
      }
    })

    it('a failing raw query is P2010 with the SQLSTATE', async () => {
      const err = (await rejection(() =>
        prisma.$queryRawUnsafe('select 1/0'),
      )) as Prisma.PrismaClientKnownRequestError
      expect(err.code).toBe('P2010')
      expect(err.message).toContain('22012')
      expect(err.message).toContain('division by zero')
    })

    it('a serialization failure is P2034 (write conflict)', async () => {
      const a = await prisma.author.create({ data: { email: 'ser@example.com', name: 's' } })
      let release!: () => void
      const held = new Promise<void>((r) => {
        release = r
      })
      let firstRead!: () => void
      const read = new Promise<void>((r) => {
        firstRead = r
      })
      const first = prisma.$transaction(
        async (tx) => {
          await tx.author.findUnique({ where: { id: a.id } })
          firstRead()
          await held
          await tx.author.update({ where: { id: a.id }, data: { nick: 'first' } })
        },
        { isolationLevel: 'RepeatableRead', timeout: 20_000 },
      )
      await read
      await prisma.author.update({ where: { id: a.id }, data: { nick: 'outside' } })
      release()
      const err = (await rejection(() => first)) as Prisma.PrismaClientKnownRequestError
      expect(err.code).toBe('P2034')
    })
  })

  describe('transactions', () => {
    it('commits an interactive transaction and rolls one back on a throw', async () => {
      await prisma.$transaction(async (tx) => {
        await tx.author.create({ data: { email: 'tx1@example.com', name: 'tx' } })
      })
      expect(await prisma.author.count({ where: { email: 'tx1@example.com' } })).toBe(1)
      const err = await rejection(() =>
        prisma.$transaction(async (tx) => {
          await tx.author.create({ data: { email: 'tx2@example.com', name: 'tx' } })
          throw new Error('changed my mind')
        }),
      )
      expect((err as Error).message).toBe('changed my mind')
      expect(await prisma.author.count({ where: { email: 'tx2@example.com' } })).toBe(0)
    })

    it('rolls back a batch transaction when one statement fails', async () => {
      await prisma.author.create({ data: { email: 'batch@example.com', name: 'b' } })
      const err = await rejection(() =>
        prisma.$transaction([
          prisma.author.create({ data: { email: 'batch-new@example.com', name: 'b' } }),
          prisma.author.create({ data: { email: 'batch@example.com', name: 'b' } }),
        ]),
      )
      expect((err as Prisma.PrismaClientKnownRequestError).code).toBe('P2002')
      expect(await prisma.author.count({ where: { email: 'batch-new@example.com' } })).toBe(0)
    })

    it('runs at each isolation level Prisma offers for PostgreSQL', async () => {
      const levels = {
        ReadUncommitted: 'read uncommitted',
        ReadCommitted: 'read committed',
        RepeatableRead: 'repeatable read',
        Serializable: 'serializable',
      } as const
      for (const [level, setting] of Object.entries(levels)) {
        const seen = await prisma.$transaction(
          (tx) =>
            tx.$queryRaw<{ l: string }[]>`select current_setting('transaction_isolation') as l`,
          { isolationLevel: level as Prisma.TransactionIsolationLevel },
        )
        expect(seen[0]?.l).toBe(setting)
      }
    })

    it('sees its own writes and hides them from others until commit', async () => {
      await prisma.$transaction(async (tx) => {
        await tx.author.create({ data: { email: 'iso@example.com', name: 'i' } })
        expect(await tx.author.count({ where: { email: 'iso@example.com' } })).toBe(1)
        expect(await prisma.author.count({ where: { email: 'iso@example.com' } })).toBe(0)
      })
      expect(await prisma.author.count({ where: { email: 'iso@example.com' } })).toBe(1)
    })

    it('a transaction past its timeout is rolled back and its connection reused cleanly', async () => {
      const err = await rejection(() =>
        prisma.$transaction(
          async (tx) => {
            await tx.author.create({ data: { email: 'late@example.com', name: 'l' } })
            await new Promise((r) => setTimeout(r, 400))
            await tx.author.count()
          },
          { timeout: 150 },
        ),
      )
      expect((err as Prisma.PrismaClientKnownRequestError).code).toBe('P2028')
      expect(await prisma.author.count({ where: { email: 'late@example.com' } })).toBe(0)
    })
  })

  describe('the schema option', () => {
    it('runs Prisma in the named schema, from the option or the URL', async () => {
      const viaOption = new PrismaClient({ adapter: new PrismaTusk(url, { schema: 'alt' }) })
      const viaUrl = new PrismaClient({ adapter: new PrismaTusk(`${url}?schema=alt`) })
      try {
        await viaOption.author.create({ data: { email: 'alt@example.com', name: 'alt' } })
        expect(await viaUrl.author.count({ where: { email: 'alt@example.com' } })).toBe(1)
        expect(await prisma.author.count({ where: { email: 'alt@example.com' } })).toBe(0)
        const [raw] = await viaUrl.$queryRaw<
          { n: bigint }[]
        >`select count(*) as n from "Author" where email = 'alt@example.com'`
        expect(raw?.n).toBe(1n)
      } finally {
        await viaOption.$disconnect()
        await viaUrl.$disconnect()
      }
    })
  })

  describe('the pool', () => {
    it('ends the pool it made on $disconnect, and leaves an app pool open', async () => {
      const pool: Pool = createPool(url, { max: 2 })
      const shared = new PrismaClient({ adapter: new PrismaTusk(pool) })
      await shared.author.count()
      await shared.$disconnect()
      expect(pool.closed).toBe(false)
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }])
      const owned = new PrismaClient({
        adapter: new PrismaTusk(pool, { disposeExternalPool: true }),
      })
      await owned.author.count()
      await owned.$disconnect()
      expect(pool.closed).toBe(true)
    })

    it('takes connection_limit and pool_timeout from a Prisma URL', async () => {
      const limited = new PrismaClient({
        adapter: new PrismaTusk(`${url}?connection_limit=1&pool_timeout=1`),
      })
      try {
        const results = await Promise.all(Array.from({ length: 5 }, () => limited.author.count()))
        expect(new Set(results).size).toBe(1)
        const [row] = await limited.$queryRaw<
          { n: bigint }[]
        >`select count(*) as n from pg_stat_activity where datname = current_database() and application_name = ''`
        expect(row?.n).toBeGreaterThanOrEqual(1n)
      } finally {
        await limited.$disconnect()
      }
    })
  })
})
