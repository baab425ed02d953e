/**
 * The driver adapter contract itself (what Prisma calls), against real servers: column types of
 * every type Prisma's connector reads, argument conversion, each DriverAdapterError kind from a
 * real failure with the core's error kept, transactions and savepoints, executeScript, the shadow
 * database, connection info and dispose.
 */
import net from 'node:net'
import {
  type ArgType,
  ColumnTypeEnum,
  type DriverAdapterError,
  type SqlDriverAdapter,
  type SqlQuery,
} from '@prisma/driver-adapter-utils'
import { connect, createPool, errors } from '@tusk/core'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PrismaTusk, type TuskAdapter, type TuskDriverAdapterError } from '../dist/index.js'
import { dropDatabase, freshDatabase, rejection, urlFor } from './helpers.js'

const servers = testServers()

function q(sql: string, args: unknown[] = [], argTypes: ArgType[] = []): SqlQuery {
  return {
    sql,
    args,
    argTypes:
      argTypes.length > 0 ? argTypes : args.map(() => ({ scalarType: 'unknown', arity: 'scalar' })),
  }
}

/** The mapped kind of a rejection (a DriverAdapterError's `cause`). */
async function kindOf(
  fn: () => Promise<unknown>,
): Promise<DriverAdapterError['cause'] & { original?: unknown }> {
  const err = (await rejection(fn)) as DriverAdapterError
  expect(err.name).toBe('DriverAdapterError')
  return { ...err.cause, original: (err as TuskDriverAdapterError).original }
}

describe.each(servers)('the adapter contract, $name', (server) => {
  const dbname = `tusk_prisma_adapter_${server.major}`
  let url: string
  let adapter: SqlDriverAdapter

  beforeAll(async () => {
    url = await freshDatabase(server.url, dbname)
    adapter = await new PrismaTusk(url).connect()
  })

  afterAll(async () => {
    await adapter?.dispose()
    await dropDatabase(server.url, dbname)
  })

  it('reports a column type for every type Prisma reads, and its values', async () => {
    const result = await adapter.queryRaw(
      q(`select 1::int2 as a, 2::int4 as b, 3::int8 as c, 1.5::float4 as d, 2.5::float8 as e,
        1.10::numeric as f, '$1,234.50'::money as g, true as h, 'x'::"char" as i, 'y'::text as j,
        'z'::varchar as k, 'w'::bpchar as l, 'n'::name as m, '2024-01-02'::date as n,
        '01:02:03.5'::time as o, '01:02:03+02'::timetz as p, '2024-01-02 03:04:05.25'::timestamp as r,
        '2024-01-02 03:04:05.25+01'::timestamptz as s, '{"a":1}'::json as t, '{"b":2}'::jsonb as u,
        '\\x00ff'::bytea as v, '00000000-0000-0000-0000-000000000001'::uuid as w, 'happy'::"Mood" as x,
        array[1]::int4[] as y, array[1]::int8[] as z, array[1.5]::float8[] as aa, array[1.5]::numeric[] as ab,
        array[true] as ac, array['a']::text[] as ad, array['2024-01-02']::date[] as ae,
        array['2024-01-02 03:04:05+00']::timestamptz[] as af, array['{}']::jsonb[] as ag,
        array['\\x01']::bytea[] as ah, array['00000000-0000-0000-0000-000000000001']::uuid[] as ai,
        array['happy']::"Mood"[]::text[] as aj, 42::oid as ak, '10.0.0.1'::inet as al, B'101' as am,
        '1 day'::interval as an, '<a/>'::xml as ao, array['01:02']::time[] as ap`),
    )
    const T = ColumnTypeEnum
    expect(result.columnTypes).toEqual([
      T.Int32,
      T.Int32,
      T.Int64,
      T.Float,
      T.Double,
      T.Numeric,
      T.Numeric,
      T.Boolean,
      T.Character,
      T.Text,
      T.Text,
      T.Text,
      T.Text,
      T.Date,
      T.Time,
      T.Time,
      T.DateTime,
      T.DateTime,
      T.Json,
      T.Json,
      T.Bytes,
      T.Uuid,
      T.Text,
      T.Int32Array,
      T.Int64Array,
      T.DoubleArray,
      T.NumericArray,
      T.BooleanArray,
      T.TextArray,
      T.DateArray,
      T.DateTimeArray,
      T.JsonArray,
      T.BytesArray,
      T.UuidArray,
      T.TextArray,
      T.Int64,
      T.Text,
      T.Text,
      T.Text,
      T.Text,
      T.TimeArray,
    ])
    expect(result.rows[0]).toEqual([
      1,
      2,
      '3',
      1.5,
      2.5,
      '1.10',
      '1234.50',
      true,
      'x',
      'y',
      'z',
      'w',
      'n',
      '2024-01-02',
      '01:02:03.5',
      '01:02:03',
      '2024-01-02T03:04:05.25+00:00',
      '2024-01-02T02:04:05.25+00:00',
      '{"a":1}',
      '{"b": 2}',
      new Uint8Array([0, 255]),
      '00000000-0000-0000-0000-000000000001',
      'happy',
      [1],
      ['1'],
      [1.5],
      ['1.5'],
      [true],
      ['a'],
      ['2024-01-02'],
      ['2024-01-02T03:04:05+00:00'],
      ['{}'],
      [new Uint8Array([1])],
      ['00000000-0000-0000-0000-000000000001'],
      ['happy'],
      42,
      '10.0.0.1',
      '101',
      '1 day',
      '<a/>',
      ['01:02:00'],
    ])
    expect(result.columnNames.slice(0, 3)).toEqual(['a', 'b', 'c'])
  })

  it('reads built-in types Prisma has no type for as their text, and refuses pseudo-types', async () => {
    const result = await adapter.queryRaw(
      q(`select point(1, 2) as p, int4range(1, 10) as r, array[int8range(1, 2)] as rs,
        '{[1,2)}'::int4multirange as m, 'a & b'::tsquery as t, '0/16B3748'::pg_lsn as l,
        'pg_class'::regclass as c, row(1, 'x') as rec`),
    )
    const T = ColumnTypeEnum
    expect(result.columnTypes).toEqual([
      T.Text,
      T.Text,
      T.TextArray,
      T.Text,
      T.Text,
      T.Text,
      T.Text,
      T.Text,
    ])
    expect(result.rows[0]).toEqual([
      '(1,2)',
      '[1,10)',
      ['[1,2)'],
      '{[1,2)}',
      "'a' & 'b'",
      '0/16B3748',
      'pg_class',
      '(1,x)',
    ])
    const cause = await kindOf(() => adapter.queryRaw(q(`select pg_sleep(0) as v`)))
    expect(cause).toMatchObject({ kind: 'UnsupportedNativeDataType', type: 'void' })
  })

  it('converts Prisma arguments: date-times in UTC for each column type, base64 bytes, lists', async () => {
    await adapter.executeScript(`set timezone = 'Pacific/Chatham'`)
    const at = '2024-03-10T23:45:06.789Z'
    const dt = (dbType?: string): ArgType => ({
      scalarType: 'datetime',
      arity: 'scalar',
      ...(dbType ? { dbType } : {}),
    })
    const result = await adapter.queryRaw(
      q(
        `select $1::timestamptz = '2024-03-10 23:45:06.789+00' as a, $2::timestamp as b, $3::date as c,
          $4::time as d, $5::bytea as e, $6::timestamptz[] as f, $7::int8 as g, $8::numeric as h`,
        [at, new Date(at), at, at, 'AAH/', [at, at], '9223372036854775807', '0.1'],
        [
          dt(),
          dt('TIMESTAMP'),
          dt('DATE'),
          dt('TIME'),
          { scalarType: 'bytes', arity: 'scalar' },
          { scalarType: 'datetime', arity: 'list' },
          { scalarType: 'bigint', arity: 'scalar' },
          { scalarType: 'decimal', arity: 'scalar' },
        ],
      ),
    )
    expect(result.rows[0]).toEqual([
      true,
      '2024-03-10T23:45:06.789+00:00',
      '2024-03-10',
      '23:45:06.789',
      new Uint8Array([0, 1, 255]),
      ['2024-03-10T23:45:06.789+00:00', '2024-03-10T23:45:06.789+00:00'],
      '9223372036854775807',
      '0.1',
    ])
  })

  it('executeRaw returns the rows affected', async () => {
    await adapter.executeRaw(
      q(`insert into "Author" (email, name) values ('e1', 'a'), ('e2', 'b')`),
    )
    expect(
      await adapter.executeRaw(q(`update "Author" set nick = 'n' where email like 'e%'`)),
    ).toBe(2)
    expect(await adapter.executeRaw(q(`create temp table if not exists x (a int)`))).toBe(0)
  })

  describe('errors, each from a real failure', () => {
    it('not-null, value out of range, invalid input, conflict, and other SQLSTATEs', async () => {
      const nn = await kindOf(() =>
        adapter.executeRaw(q(`insert into "Author" (email, name) values ('x', null)`)),
      )
      expect(nn).toMatchObject({
        kind: 'NullConstraintViolation',
        constraint: { fields: ['name'] },
        originalCode: '23502',
      })
      expect(nn.original).toBeInstanceOf(errors.NotNullViolation)
      const range = await kindOf(() => adapter.queryRaw(q(`select 40000::int2`)))
      expect(range).toMatchObject({ kind: 'ValueOutOfRange', originalCode: '22003' })
      const input = await kindOf(() => adapter.queryRaw(q(`select 'nope'::int4`)))
      expect(input).toMatchObject({ kind: 'InvalidInputValue', originalCode: '22P02' })
      const conflict = await kindOf(() =>
        adapter.executeScript(`do $$ begin raise exception 'x' using errcode = '40001'; end $$`),
      )
      expect(conflict).toMatchObject({ kind: 'TransactionWriteConflict', originalCode: '40001' })
      expect(conflict.original).toBeInstanceOf(errors.SerializationFailure)
      const other = await kindOf(() => adapter.queryRaw(q(`select 1/0`)))
      expect(other).toMatchObject({
        kind: 'postgres',
        code: '22012',
        severity: 'ERROR',
        message: 'division by zero',
      })
      const table = await kindOf(() => adapter.queryRaw(q(`select * from "Nope"`)))
      expect(table).toMatchObject({ kind: 'TableDoesNotExist', table: 'Nope' })
      const column = await kindOf(() => adapter.queryRaw(q(`select "nope" from "Author"`)))
      expect(column).toMatchObject({ kind: 'ColumnNotFound', column: 'nope' })
      const fk = await kindOf(() =>
        adapter.executeRaw(q(`insert into "Post" (title, "authorId") values ('t', -1)`)),
      )
      expect(fk).toMatchObject({
        kind: 'ForeignKeyConstraintViolation',
        constraint: { index: 'Post_authorId_fkey' },
      })
    })

    it('a database that does not exist', async () => {
      const other = await new PrismaTusk(urlFor(server.url, 'tusk_prisma_no_such_db')).connect()
      try {
        const cause = await kindOf(() => other.queryRaw(q('select 1')))
        expect(cause).toMatchObject({
          kind: 'DatabaseDoesNotExist',
          db: 'tusk_prisma_no_such_db',
          originalCode: '3D000',
        })
      } finally {
        await other.dispose()
      }
    })

    it('authentication failed, naming the user', async () => {
      const role = server.roles?.scram
      if (role === undefined) return
      const u = new URL(url)
      u.username = role.user
      u.password = 'wrong-password'
      const other = await new PrismaTusk(u.toString()).connect()
      try {
        const cause = await kindOf(() => other.queryRaw(q('select 1')))
        expect(cause).toMatchObject({
          kind: 'AuthenticationFailed',
          user: role.user,
          originalCode: '28P01',
        })
        expect(cause.original).toBeInstanceOf(errors.OperationalError)
      } finally {
        await other.dispose()
      }
    })

    it('too many connections', async () => {
      const admin = await connect(url)
      try {
        await admin.exec(
          `drop role if exists tusk_prisma_limited; create role tusk_prisma_limited login password 'pw' connection limit 0`,
        )
        const u = new URL(url)
        u.username = 'tusk_prisma_limited'
        u.password = 'pw'
        // The pool retries 53300 until acquireTimeout, then reports the server's refusal.
        const other = await new PrismaTusk(u.toString(), {
          pool: { acquireTimeout: 1000 },
        }).connect()
        try {
          const cause = await kindOf(() => other.queryRaw(q('select 1')))
          expect(cause).toMatchObject({ kind: 'TooManyConnections', originalCode: '53300' })
          expect(cause.original).toBeInstanceOf(errors.PoolTimeoutError)
        } finally {
          await other.dispose()
        }
      } finally {
        await admin.exec('drop role if exists tusk_prisma_limited')
        await admin.close()
      }
    })

    it('a server that cannot be reached, and one that never answers (socket timeout)', async () => {
      const closed = net.createServer()
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
      const port = (closed.address() as net.AddressInfo).port
      await new Promise<void>((r) => closed.close(() => r()))
      const refused = await new PrismaTusk(
        `postgres://u@127.0.0.1:${port}/db?sslmode=disable`,
      ).connect()
      try {
        const cause = await kindOf(() => refused.queryRaw(q('select 1')))
        expect(cause).toMatchObject({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port })
      } finally {
        await refused.dispose()
      }
      const silent = net.createServer(() => {})
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
      const silentPort = (silent.address() as net.AddressInfo).port
      const stalled = await new PrismaTusk(
        `postgres://u@127.0.0.1:${silentPort}/db?sslmode=disable`,
        {
          pool: { connectTimeout: 200, acquireTimeout: 1000 },
        },
      ).connect()
      try {
        const cause = await kindOf(() => stalled.queryRaw(q('select 1')))
        expect(cause).toMatchObject({ kind: 'SocketTimeout' })
        expect(cause.original).toBeInstanceOf(errors.PoolTimeoutError)
        expect((cause.original as Error).cause).toBeInstanceOf(errors.ConnectTimeout)
      } finally {
        await stalled.dispose()
        silent.close()
      }
    })

    it('a TLS failure', async () => {
      if (server.certs === null) return
      const u = new URL(url)
      u.searchParams.set('sslmode', 'verify-full')
      u.searchParams.set('sslrootcert', server.certs.clientCertFile)
      const other = await new PrismaTusk(u.toString()).connect()
      try {
        const cause = await kindOf(() => other.queryRaw(q('select 1')))
        expect(cause.kind).toBe('TlsConnectionError')
        expect(cause.original).toBeInstanceOf(errors.TlsError)
      } finally {
        await other.dispose()
      }
    })
  })

  describe('transactions', () => {
    it('commits, rolls back, and hands the connection back idle', async () => {
      const pool = (adapter as TuskAdapter).pool
      const tx = await adapter.startTransaction()
      expect(tx.options.usePhantomQuery).toBe(true)
      await tx.executeRaw(q(`insert into "Author" (email, name) values ('tx-c', 'c')`))
      await tx.commit()
      const rb = await adapter.startTransaction('SERIALIZABLE')
      const [level] = (await rb.queryRaw(q(`select current_setting('transaction_isolation')`))).rows
      expect(level).toEqual(['serializable'])
      await rb.executeRaw(q(`insert into "Author" (email, name) values ('tx-r', 'r')`))
      await rb.rollback()
      const rows = (
        await adapter.queryRaw(q(`select email from "Author" where email like 'tx-%' order by 1`))
      ).rows
      expect(rows).toEqual([['tx-c']])
      expect(pool.stats().busy).toBe(0)
      const twice = await kindOf(() => rb.rollback())
      expect(twice.kind).toBe('TransactionAlreadyClosed')
    })

    it('savepoints roll back alone', async () => {
      const tx = await adapter.startTransaction('READ COMMITTED')
      await tx.executeRaw(q(`insert into "Author" (email, name) values ('sp-1', 'a')`))
      await tx.createSavepoint?.('prisma_sp_1')
      await tx.executeRaw(q(`insert into "Author" (email, name) values ('sp-2', 'a')`))
      await tx.rollbackToSavepoint?.('prisma_sp_1')
      await tx.createSavepoint?.('prisma_sp_2')
      await tx.executeRaw(q(`insert into "Author" (email, name) values ('sp-3', 'a')`))
      await tx.releaseSavepoint?.('prisma_sp_2')
      await tx.commit()
      const rows = (
        await adapter.queryRaw(q(`select email from "Author" where email like 'sp-%' order by 1`))
      ).rows
      expect(rows).toEqual([['sp-1'], ['sp-3']])
    })

    it('refuses SNAPSHOT isolation, which PostgreSQL does not have', async () => {
      const cause = await kindOf(() => adapter.startTransaction('SNAPSHOT'))
      expect(cause).toMatchObject({ kind: 'InvalidIsolationLevel', level: 'SNAPSHOT' })
      expect((adapter as TuskAdapter).pool.stats().busy).toBe(0)
    })

    it('a COMMIT after a failed statement reports the rollback and frees the connection', async () => {
      const tx = await adapter.startTransaction()
      await rejection(() => tx.queryRaw(q('select 1/0')))
      const err = await rejection(() => tx.commit())
      expect((err as TuskDriverAdapterError).original).toBeInstanceOf(errors.InFailedSqlTransaction)
      expect((adapter as TuskAdapter).pool.stats().busy).toBe(0)
    })
  })

  describe('executeScript', () => {
    it('runs several statements, semicolons inside literals and bodies included', async () => {
      await adapter.executeScript(`
        create table script_t (a text);
        insert into script_t values ('a;b');
        create function script_f() returns int language plpgsql as $$ begin return 1; end $$;
      `)
      const rows = (await adapter.queryRaw(q(`select a, script_f() from script_t`))).rows
      expect(rows).toEqual([['a;b', 1]])
    })

    it('applies nothing of a script that fails part-way', async () => {
      const cause = await kindOf(() =>
        adapter.executeScript(
          `create table script_half (a int); select 1/0; create table script_after (a int);`,
        ),
      )
      expect(cause).toMatchObject({ kind: 'postgres', code: '22012' })
      const left = (
        await adapter.queryRaw(
          q(`select to_regclass('script_half')::text, to_regclass('script_after')::text`),
        )
      ).rows
      expect(left).toEqual([[null, null]])
    })
  })

  it('connection info names the schema and relation joins', async () => {
    expect(adapter.getConnectionInfo?.()).toEqual({ supportsRelationJoins: true })
    const other = await new PrismaTusk(url, { schema: 'app' }).connect()
    expect(other.getConnectionInfo?.()).toEqual({ schemaName: 'app', supportsRelationJoins: true })
    await other.dispose()
  })

  it('makes a shadow database for Migrate and drops it on dispose', async () => {
    const factory = new PrismaTusk(url)
    const shadow = await factory.connectToShadowDb()
    const [[name]] = (await shadow.queryRaw(q('select current_database()'))).rows as [[string]]
    expect(name).toMatch(/^prisma_migrate_shadow_db_[0-9a-f-]{36}$/)
    await shadow.executeScript('create table in_shadow (a int)')
    await shadow.dispose()
    const admin = await connect(url)
    try {
      const { rows } = await admin.query('select 1 from pg_database where datname = $1', [name])
      expect(rows).toEqual([])
    } finally {
      await admin.close()
    }
  })

  it("reports an idle connection's loss to onPoolError and the pool's own onError", async () => {
    const seen: Error[] = []
    const own: Error[] = []
    const other = (await new PrismaTusk(url, {
      onPoolError: (err) => seen.push(err),
      pool: { onError: (err) => own.push(err) },
    }).connect()) as TuskAdapter
    try {
      const [[pid]] = (await other.queryRaw(q('select pg_backend_pid()'))).rows as [[number]]
      const admin = await connect(url)
      try {
        await admin.query('select pg_terminate_backend($1)', [pid])
      } finally {
        await admin.close()
      }
      await until(() => seen.length > 0, { what: 'onPoolError after the backend was terminated' })
      expect(seen[0]).toBeInstanceOf(errors.TuskError)
      expect(own).toEqual(seen)
      // The pool replaces the connection.
      expect((await other.queryRaw(q('select 1 as a'))).rows).toEqual([[1]])
    } finally {
      await other.dispose()
    }
  })

  it('dispose ends the pool; a later query fails as closed', async () => {
    const other = (await new PrismaTusk(url).connect()) as TuskAdapter
    await other.queryRaw(q('select 1'))
    await other.dispose()
    expect(other.pool.closed).toBe(true)
    await expect(other.queryRaw(q('select 1'))).rejects.toBeInstanceOf(Error)
  })
})

describe('configuration', () => {
  it('refuses a types pool option and a malformed Prisma URL parameter with ConfigError', () => {
    expect(
      () => new PrismaTusk('postgres://localhost/db', { pool: { types: { int8: 'number' } } }),
    ).toThrow(errors.ConfigError)
    expect(() => new PrismaTusk('postgres://localhost/db?connection_limit=many')).toThrow(
      /connection_limit/,
    )
    expect(() => new PrismaTusk('postgres://localhost/db?connection_limit=many')).toThrow(
      errors.ConfigError,
    )
  })

  it('refuses pool options and onPoolError beside a Pool of the app, naming the option', async () => {
    const pool = createPool('postgres://localhost/db')
    try {
      expect(() => new PrismaTusk(pool, { onPoolError: () => {} })).toThrow(/"onPoolError"/)
      expect(() => new PrismaTusk(pool, { pool: { max: 2 } })).toThrow(errors.ConfigError)
    } finally {
      await pool.end()
    }
  })

  it('names itself for Prisma', () => {
    const factory = new PrismaTusk('postgres://localhost/db')
    expect(factory.provider).toBe('postgres')
    expect(factory.adapterName).toBe('@tusk/prisma')
  })
})
