/**
 * @tusk/core with `pgTypes` and `preparePgParameters` (the `@tusk/core/pg` subpath) returns what
 * `pg` returns, class for class and value for value — for every built-in type and its array, edge
 * values included, and for parameters echoed back — in two session time zones and a process time
 * zone that is not UTC.
 */

import { shape } from '@tusk/testkit/shape'
import { testServers } from '@tusk/testkit/vitest'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPool, type Pool } from '../../src/index.js'
import { pgTypes, preparePgParameters } from '../../src/pg/index.js'

const servers = testServers()

// Local-time conversions must match pg's in a zone with a non-whole-hour offset; set before the
// parameter Dates below are built.
vi.stubEnv('TZ', 'Asia/Kolkata')

/** [label, SQL expression]; each is selected as `v`. */
const EXPRESSIONS: [string, string][] = [
  ['bool', 'true'],
  ['bool null', 'null::bool'],
  ['int2', '(-32768)::int2'],
  ['int4', '2147483647::int4'],
  ['int8', '9223372036854775807::int8'],
  ['int8 negative', '(-9007199254740993)::int8'],
  ['oid', '4000000000::oid'],
  ['xid', `'123'::xid`],
  ['cid', `'5'::cid`],
  ['xid8', `'18446744073709551615'::xid8`],
  ['tid', `'(1,2)'::tid`],
  ['numeric', '1.50::numeric'],
  ['numeric big', '123456789012345678901234567890.123456789::numeric'],
  ['numeric NaN', `'NaN'::numeric`],
  ['float4', '1.1::float4'],
  ['float4 max', '3.4e38::float4'],
  ['float4 NaN', `'NaN'::float4`],
  ['float8', '0.1::float8'],
  ['float8 -0', `'-0'::float8`],
  ['float8 -Infinity', `'-Infinity'::float8`],
  ['money', '12.34::money'],
  ['text', `'héllo ☃ "q" \\ x'::text`],
  ['empty text', `''::text`],
  ['varchar', `'abc'::varchar(10)`],
  ['bpchar', `'ab'::char(4)`],
  ['"char"', `'a'::"char"`],
  ['name', `'foo'::name`],
  ['unknown literal', `'abc'`],
  ['uuid', `'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid`],
  ['bytea', `'\\x0001ff'::bytea`],
  ['bytea empty', `''::bytea`],
  ['json', `'{"a":[1,2,{"b":null}],"a":2}'::json`],
  ['jsonb', `'[1,"x",{"y":12345678901234567890}]'::jsonb`],
  ['jsonb null', `'null'::jsonb`],
  ['json string', `'"str"'::json`],
  ['jsonpath', `'$.a[*] ? (@ > 1)'::jsonpath`],
  ['date', `'2024-01-15'::date`],
  ['date BC', `'0044-03-15 BC'::date`],
  ['date year 99', `'0099-12-31'::date`],
  ['date year 10000', `'10000-01-01'::date`],
  ['date infinity', `'infinity'::date`],
  ['date -infinity', `'-infinity'::date`],
  ['timestamp', `'2024-01-15 10:30:00.123456'::timestamp`],
  ['timestamp rounding', `'1999-12-31 23:59:59.9995'::timestamp`],
  ['timestamp BC', `'0001-01-01 00:00:00 BC'::timestamp`],
  ['timestamp infinity', `'infinity'::timestamp`],
  ['timestamptz', `'2024-01-15 10:30:00.123456+05:30'::timestamptz`],
  ['timestamptz 1900', `'1900-01-01 00:00:00+00'::timestamptz`],
  ['timestamptz BC', `'0044-03-15 12:00:00+00 BC'::timestamptz`],
  ['timestamptz -infinity', `'-infinity'::timestamptz`],
  ['time', `'10:30:00.5'::time`],
  ['timetz', `'10:30:00+05:30'::timetz`],
  ['interval', `'1 year 2 mons 3 days 04:05:06.789'::interval`],
  ['interval negative', `'-1 days +02:03:00'::interval`],
  ['interval zero', `'0'::interval`],
  ['interval micro', `'-0.000001 seconds'::interval`],
  ['interval mixed', `'1 day -00:00:01'::interval`],
  ['interval years', `'100 years'::interval`],
  ['inet', `'192.168.0.1/24'::inet`],
  ['cidr', `'10.0.0.0/8'::cidr`],
  ['macaddr', `'08:00:2b:01:02:03'::macaddr`],
  ['macaddr8', `'08:00:2b:01:02:03:04:05'::macaddr8`],
  ['point', `'(1.5,-2)'::point`],
  ['line', `'{1,2,3}'::line`],
  ['lseg', `'[(0,0),(1,1)]'::lseg`],
  ['box', `'(1,1),(0,0)'::box`],
  ['path', `'[(0,0),(1,1),(2,0)]'::path`],
  ['polygon', `'((0,0),(1,1),(2,0))'::polygon`],
  ['circle', `'<(1,2),3.5>'::circle`],
  ['bit', `B'101'::bit(3)`],
  ['varbit', `B'10'::varbit`],
  ['int4range', `'[1,10)'::int4range`],
  ['int8range', `'(1,10]'::int8range`],
  ['numrange', `'[1.5,2.5]'::numrange`],
  ['tsrange', `'[2024-01-01,2024-02-01)'::tsrange`],
  ['tstzrange', `'[2024-01-01 00:00+00,)'::tstzrange`],
  ['daterange', `'[2024-01-01,2024-02-01)'::daterange`],
  ['empty range', `'empty'::int4range`],
  ['int4multirange', `'{[1,3),[5,7)}'::int4multirange`],
  ['tsvector', `'a fat cat'::tsvector`],
  ['tsquery', `'fat & cat'::tsquery`],
  ['xml', `'<a>1</a>'::xml`],
  ['pg_lsn', `'16/B374D848'::pg_lsn`],
  ['regclass', `'pg_class'::regclass`],
  ['regtype', `'int4'::regtype`],
  ['regproc', `'now'::regproc`],
  ['int2vector', `'1 2'::int2vector`],
  ['oidvector', `'1 2'::oidvector`],
  ['record', `row(1, 'a', null)`],
  ['void', 'pg_sleep(0)'],
  ['snapshot', `'10:20:10,14,15'::pg_snapshot`],
  ['enum', `'happy'::pg_parity_mood`],
  ['enum[]', `'{happy,sad}'::pg_parity_mood[]`],
  ['domain', '5::pg_parity_positive'],
  ['composite', `row(1.5, 'x')::pg_parity_pair`],
  ['int2[]', `'{1,NULL,-3}'::int2[]`],
  ['int4[]', `'{{1,2},{3,4}}'::int4[]`],
  ['int4[] empty', `'{}'::int4[]`],
  ['int4[] lower bound', `'[0:1]={1,2}'::int4[]`],
  ['int8[]', `'{9223372036854775807,NULL}'::int8[]`],
  ['numeric[]', `'{1.5,NaN,NULL,123456789012345678901234567890}'::numeric[]`],
  ['float4[]', `'{1.1,NaN}'::float4[]`],
  ['float8[]', `'{0.1,-Infinity}'::float8[]`],
  ['bool[]', `'{t,f,NULL}'::bool[]`],
  ['text[]', `array['a,b', 'q"uote', 'back\\slash', 'NULL', '', null]::text[]`],
  ['varchar[]', `'{a,b}'::varchar[]`],
  ['bpchar[]', `'{a,b}'::char(2)[]`],
  ['name[]', `'{a,b}'::name[]`],
  ['"char"[]', `'{a,b}'::"char"[]`],
  ['oid[]', `'{1,4000000000}'::oid[]`],
  ['uuid[]', `'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}'::uuid[]`],
  ['bytea[]', `array['\\x01'::bytea, '\\x'::bytea, null]`],
  ['json[]', `array['{"a":1}'::json, '[2]'::json, null]`],
  ['jsonb[]', `array['{"a":1}'::jsonb, null]`],
  ['date[]', `'{2024-01-15,infinity,NULL}'::date[]`],
  ['timestamp[]', `'{"2024-01-15 10:30:00.5",NULL}'::timestamp[]`],
  ['timestamptz[]', `'{"2024-01-15 10:30:00.5+02",NULL}'::timestamptz[]`],
  ['interval[]', `'{"1 day","-00:00:01",NULL}'::interval[]`],
  ['time[]', `'{10:30,NULL}'::time[]`],
  ['timetz[]', `'{10:30+02}'::timetz[]`],
  ['money[]', `'{1.5,2}'::money[]`],
  ['inet[]', `'{127.0.0.1,::1}'::inet[]`],
  ['cidr[]', `'{10.0.0.0/8}'::cidr[]`],
  ['macaddr[]', `'{08:00:2b:01:02:03}'::macaddr[]`],
  ['macaddr8[]', `'{08:00:2b:01:02:03:04:05}'::macaddr8[]`],
  ['point[]', `'{"(1,2)","(3,4)"}'::point[]`],
  ['circle[]', `array['<(1,2),3>'::circle]`],
  ['box[]', `array['(1,1),(0,0)'::box]`],
  ['numrange[]', `array['[1,2)'::numrange]`],
  ['int4range[]', `array['[1,2)'::int4range]`],
  ['bit[]', `array[B'1'::bit]`],
  ['xml[]', `array['<a/>'::xml]`],
  ['tsvector[]', `array['a b'::tsvector]`],
  ['regclass[]', `array['pg_class'::regclass]`],
  ['regproc[]', `array['now'::regproc]`],
  ['jsonpath[]', `array['$.a'::jsonpath]`],
  ['record[]', `array[row(1, 'a')]`],
  ['composite[]', `array[row(1.5, 'x')::pg_parity_pair]`],
  ['int4multirange[]', `array['{[1,3)}'::int4multirange]`],
  ['xid[]', `array['1'::xid]`],
  ['tid[]', `array['(0,1)'::tid]`],
  ['pg_lsn[]', `array['0/1'::pg_lsn]`],
]

/** Parameters echoed back: [label, SQL, parameters]. */
const PARAMETERS: [string, string, unknown[]][] = [
  ['Date param', 'select $1 as v', [new Date(2024, 0, 15, 10, 30, 0, 123)]],
  ['Date to timestamp', 'select $1::timestamp as v', [new Date(2024, 0, 15, 10, 30, 0, 123)]],
  ['Date to date', 'select $1::date as v', [new Date(2024, 0, 15, 0, 30)]],
  ['Date to timestamptz', 'select $1::timestamptz as v', [new Date(Date.UTC(2024, 0, 15))]],
  ['Date BC', 'select $1::timestamptz as v', [new Date(-100, 0, 1)]],
  ['true param', 'select $1 as v', [true]],
  ['boolean to bool', 'select $1::bool as v', [false]],
  ['number param', 'select $1 as v', [1.5]],
  ['-0 param', 'select $1 as v', [-0]],
  ['NaN param', 'select $1::float8 as v', [Number.NaN]],
  ['Infinity param', 'select $1 as v', [Number.POSITIVE_INFINITY]],
  ['1e21 param', 'select $1 as v', [1e21]],
  ['1e-7 param', 'select $1 as v', [1e-7]],
  ['0.1 + 0.2 param', 'select $1::float8 as v', [0.1 + 0.2]],
  ['number to numeric', 'select $1::numeric as v', [123.456]],
  ['big bigint param', 'select $1::numeric as v', [2n ** 70n]],
  ['object param', 'select $1::jsonb as v', [{ a: 1, d: new Date(0) }]],
  ['string to date', 'select $1::date as v', ['2024-01-15']],
  ['bigint param', 'select $1::int8 as v', [123n]],
  ['string param', 'select $1 as v', ['x']],
  ['Buffer param', 'select $1::bytea as v', [Buffer.from([1, 2, 255])]],
  ['array to int4[]', 'select $1::int4[] as v', [[1, 2, 3]]],
  ['array to text[]', 'select $1::text[] as v', [['a', 'b,c', null]]],
  ['Dates to timestamp[]', 'select $1::timestamp[] as v', [[new Date(2024, 0, 15, 1, 2, 3)]]],
  ['object to jsonb', 'select $1::jsonb as v', [JSON.stringify({ a: [1, 'x'] })]],
  ['null param', 'select $1::int4 as v', [null]],
]
afterAll(() => {
  vi.unstubAllEnvs()
})

for (const server of servers) {
  describe.each(['the server default', 'America/St_Johns'])(
    `@tusk/core with the pg mapping returns what pg returns, on ${server.name}, session time zone %s`,
    (zone) => {
      let reference: pg.Pool
      let tusk: Pool

      beforeAll(async () => {
        const setup = new pg.Client({ connectionString: server.url })
        await setup.connect()
        await setup.query(`
          drop type if exists pg_parity_mood cascade;
          drop domain if exists pg_parity_positive cascade;
          drop type if exists pg_parity_pair cascade;
          create type pg_parity_mood as enum ('happy', 'sad');
          create domain pg_parity_positive as int check (value > 0);
          create type pg_parity_pair as (x float8, label text);`)
        await setup.end()
        reference = new pg.Pool({ connectionString: server.url, max: 1 })
        reference.on('error', () => {})
        tusk = createPool(server.url, { max: 1, types: pgTypes })
        if (zone !== 'the server default') {
          await reference.query(`set time zone '${zone}'`)
          await tusk.query(`set time zone '${zone}'`)
        }
      })
      afterAll(async () => {
        await reference?.end()
        await tusk?.end()
      })

      it('runs in a process time zone that is not UTC', () => {
        expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(-330)
      })

      it.each(EXPRESSIONS)('%s', async (_label, expression) => {
        const text = `select ${expression} as v`
        const expected = (await reference.query(text)).rows
        const actual = (await tusk.query(text)).rows
        expect(shape(actual)).toEqual(shape(expected))
      })

      it.each(PARAMETERS)('%s', async (_label, text, params) => {
        const expected = (await reference.query(text, params)).rows
        const actual = (await tusk.query(text, preparePgParameters(params))).rows
        expect(shape(actual)).toEqual(shape(expected))
      })
    },
  )
}
