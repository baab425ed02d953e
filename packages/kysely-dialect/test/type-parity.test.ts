/**
 * What `.execute()` returns through TuskDialect (default `pg` mapping) equals, class for class
 * and value for value, what Kysely's PostgresDialect with `pg` returns — for a sample of each kind
 * of value the mapping handles and every kind of parameter, in two session time zones and a
 * non-UTC process zone. The mapping itself is `@tusk/core/pg`, checked against `pg` for every
 * built-in type in core's test/integration/pg-parity.test.ts; this checks the dialect applies it.
 */
import { shape } from '@tusk/testkit/shape'
import { testServers } from '@tusk/testkit/vitest'
import { Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TuskDialect } from '../src/index.js'

const servers = testServers()

/** [label, SQL expression]; each is selected as `v`: some of each kind the mapping handles. */
const EXPRESSIONS: [string, string][] = [
  ['bool', 'true'],
  ['int8', '9223372036854775807::int8'],
  ['int8 negative', '(-9007199254740993)::int8'],
  ['numeric big', '123456789012345678901234567890.123456789::numeric'],
  ['float4', '1.1::float4'],
  ['float8 -0', `'-0'::float8`],
  ['money', '12.34::money'],
  ['text', `'héllo ☃ "q" \\ x'::text`],
  ['uuid', `'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid`],
  ['bytea', `'\\x0001ff'::bytea`],
  ['json', `'{"a":[1,2,{"b":null}],"a":2}'::json`],
  ['jsonb', `'[1,"x",{"y":12345678901234567890}]'::jsonb`],
  ['date', `'2024-01-15'::date`],
  ['date BC', `'0044-03-15 BC'::date`],
  ['date infinity', `'infinity'::date`],
  ['timestamp', `'2024-01-15 10:30:00.123456'::timestamp`],
  ['timestamp BC', `'0001-01-01 00:00:00 BC'::timestamp`],
  ['timestamptz', `'2024-01-15 10:30:00.123456+05:30'::timestamptz`],
  ['timestamptz -infinity', `'-infinity'::timestamptz`],
  ['time', `'10:30:00.5'::time`],
  ['interval', `'1 year 2 mons 3 days 04:05:06.789'::interval`],
  ['interval negative', `'-1 days +02:03:00'::interval`],
  ['point', `'(1.5,-2)'::point`],
  ['box', `'(1,1),(0,0)'::box`],
  ['circle', `'<(1,2),3.5>'::circle`],
  ['int4range', `'[1,10)'::int4range`],
  ['int4multirange', `'{[1,3),[5,7)}'::int4multirange`],
  ['record', `row(1, 'a', null)`],
  ['void', 'pg_sleep(0)'],
  ['enum', `'happy'::parity_mood`],
  ['domain', '5::parity_positive'],
  ['composite', `row(1.5, 'x')::parity_pair`],
  ['int2[]', `'{1,NULL,-3}'::int2[]`],
  ['int4[] lower bound', `'[0:1]={1,2}'::int4[]`],
  ['int8[]', `'{9223372036854775807,NULL}'::int8[]`],
  ['numeric[]', `'{1.5,NaN,NULL,123456789012345678901234567890}'::numeric[]`],
  ['float4[]', `'{1.1,NaN}'::float4[]`],
  ['text[]', `array['a,b', 'q"uote', 'back\\slash', 'NULL', '', null]::text[]`],
  ['bytea[]', `array['\\x01'::bytea, '\\x'::bytea, null]`],
  ['date[]', `'{2024-01-15,infinity,NULL}'::date[]`],
  ['timestamptz[]', `'{"2024-01-15 10:30:00.5+02",NULL}'::timestamptz[]`],
  ['interval[]', `'{"1 day","-00:00:01",NULL}'::interval[]`],
  ['point[]', `'{"(1,2)","(3,4)"}'::point[]`],
  ['numrange[]', `array['[1,2)'::numrange]`],
]

/** Parameters echoed back (`select $1 as v`, and cast to a type). */
const PARAMETERS: [string, () => RawBuilder<unknown>][] = [
  ['Date param', () => sql`select ${new Date(2024, 0, 15, 10, 30, 0, 123)} as v`],
  ['Date to timestamp', () => sql`select ${new Date(2024, 0, 15, 10, 30, 0, 123)}::timestamp as v`],
  ['Date to date', () => sql`select ${new Date(2024, 0, 15, 0, 30)}::date as v`],
  ['Date to timestamptz', () => sql`select ${new Date(Date.UTC(2024, 0, 15))}::timestamptz as v`],
  ['Date BC', () => sql`select ${new Date(-100, 0, 1)}::timestamptz as v`],
  ['true param', () => sql`select ${true} as v`],
  ['boolean to bool', () => sql`select ${false}::bool as v`],
  ['number param', () => sql`select ${1.5} as v`],
  ['-0 param', () => sql`select ${-0} as v`],
  ['NaN param', () => sql`select ${Number.NaN}::float8 as v`],
  ['Infinity param', () => sql`select ${Number.POSITIVE_INFINITY} as v`],
  ['1e21 param', () => sql`select ${1e21} as v`],
  ['1e-7 param', () => sql`select ${1e-7} as v`],
  ['0.1 + 0.2 param', () => sql`select ${0.1 + 0.2}::float8 as v`],
  ['number to numeric', () => sql`select ${123.456}::numeric as v`],
  ['big bigint param', () => sql`select ${2n ** 70n}::numeric as v`],
  ['object param', () => sql`select ${{ a: 1, d: new Date(0) }}::jsonb as v`],
  ['string to date', () => sql`select ${'2024-01-15'}::date as v`],
  ['bigint param', () => sql`select ${123n}::int8 as v`],
  ['string param', () => sql`select ${'x'} as v`],
  ['Buffer param', () => sql`select ${Buffer.from([1, 2, 255])}::bytea as v`],
  ['array to int4[]', () => sql`select ${[1, 2, 3]}::int4[] as v`],
  ['array to text[]', () => sql`select ${['a', 'b,c', null]}::text[] as v`],
  ['Dates to timestamp[]', () => sql`select ${[new Date(2024, 0, 15, 1, 2, 3)]}::timestamp[] as v`],
  ['object to jsonb', () => sql`select ${JSON.stringify({ a: [1, 'x'] })}::jsonb as v`],
  ['null param', () => sql`select ${null}::int4 as v`],
]

for (const server of servers) {
  describe.each(['the server default', 'America/St_Johns'])(
    `TuskDialect returns what PostgresDialect + pg returns, on ${server.name}, session time zone %s`,
    (zone) => {
      let reference: Kysely<unknown>
      let tusk: Kysely<unknown>

      beforeAll(async () => {
        const setup = new pg.Client({ connectionString: server.url })
        await setup.connect()
        await setup.query(`
          drop type if exists parity_mood cascade;
          drop domain if exists parity_positive cascade;
          drop type if exists parity_pair cascade;
          create type parity_mood as enum ('happy', 'sad');
          create domain parity_positive as int check (value > 0);
          create type parity_pair as (x float8, label text);`)
        await setup.end()
        const pool = new pg.Pool({ connectionString: server.url, max: 1 })
        pool.on('error', () => {})
        reference = new Kysely({ dialect: new PostgresDialect({ pool }) })
        tusk = new Kysely({
          dialect: new TuskDialect({ conninfo: server.url, poolOptions: { max: 1 } }),
        })
        if (zone !== 'the server default') {
          await sql`set time zone ${sql.lit(zone)}`.execute(reference)
          await sql`set time zone ${sql.lit(zone)}`.execute(tusk)
        }
      })
      afterAll(async () => {
        await reference?.destroy()
        await tusk?.destroy()
      })

      it('runs in a process time zone that is not UTC', () => {
        expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(-330)
      })

      it.each(EXPRESSIONS)('%s', async (_label, expression) => {
        const query = sql`select ${sql.raw(expression)} as v`
        const expected = (await query.execute(reference)).rows
        const actual = (await query.execute(tusk)).rows
        expect(shape(actual)).toEqual(shape(expected))
      })

      it.each(PARAMETERS)('%s', async (_label, build) => {
        const expected = (await build().execute(reference)).rows
        const actual = (await build().execute(tusk)).rows
        expect(shape(actual)).toEqual(shape(expected))
      })
    },
  )
}
