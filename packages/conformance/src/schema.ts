/**
 * The tables every run creates in its own database, and the row of every common column type the
 * CRUD case writes through the ORM.
 */

/** DDL of the suite's tables (one script, run before the cases). */
export const SCHEMA_SQL = `
  create type conf_mood as enum ('happy', 'sad', 'ok');
  create table conf_types (
    id int4 primary key,
    c_int2 int2,
    c_int4 int4,
    c_int8 int8,
    c_numeric numeric(24, 4),
    c_float8 float8,
    c_bool bool,
    c_text text,
    c_varchar varchar(20),
    c_uuid uuid,
    c_bytea bytea,
    c_json json,
    c_jsonb jsonb,
    c_date date,
    c_timestamp timestamp,
    c_timestamptz timestamptz,
    c_interval interval,
    c_int4_array int4[],
    c_text_array text[],
    c_mood conf_mood
  );
  create table conf_users (
    id int4 primary key,
    email text not null,
    age int4,
    constraint conf_users_email_key unique (email),
    constraint conf_users_age_check check (age >= 0)
  );
  create table conf_posts (
    id int4 primary key,
    user_id int4 not null,
    constraint conf_posts_user_id_fkey foreign key (user_id) references conf_users (id)
  );
  create table conf_items (id int4 primary key, label text not null);
  create table conf_oncall (id int4 primary key, on_call bool not null);
  create table conf_parents (id int4 primary key);
  create table conf_children (
    id int4 primary key,
    parent_id int4 not null,
    constraint conf_children_parent_fkey foreign key (parent_id) references conf_parents (id)
      deferrable initially deferred
  );
  create table conf_locks (id int4 primary key, n int4 not null);
  insert into conf_locks values (1, 0), (2, 0);
  create table conf_cache (a int4);
  insert into conf_cache values (1);
  create table conf_accounts (id int4 primary key, balance int4 not null);
  insert into conf_accounts values (1, 100);
  create domain conf_positive as int4 check (value > 0);
`

/**
 * One row of values at the edges of what drivers map: int8 past 2^53, numeric past a double,
 * infinities and BC dates, arrays of mapped types, a range, JSON with a `__proto__` key, bytea,
 * an enum and a domain.
 */
export const EDGE_VALUES_SQL = `select
  9007199254740993::int8 as big,
  '-9223372036854775808'::int8 as big_min,
  '12345678901234567890.123456789012345678901234567890'::numeric as num,
  'NaN'::numeric as num_nan,
  'infinity'::timestamptz as tstz_inf,
  '-infinity'::timestamp as ts_ninf,
  'infinity'::date as date_inf,
  '0044-03-15 BC'::date as date_bc,
  '0044-03-15 12:30:00 BC'::timestamp as ts_bc,
  array[9007199254740993, -1]::int8[] as int8s,
  array[1.10, 2.2000, null]::numeric[] as nums,
  array['2024-02-29'::date, null] as dates,
  array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid] as uuids,
  array['{"a": 1}'::json, '[2, "x"]'::json] as jsons,
  int4range(1, 10) as int_range,
  tstzrange('2024-01-01 00:00:00+00', null) as ts_range,
  '{"__proto__": {"polluted": true}, "x": 1}'::jsonb as proto_json,
  '\\x00ff10'::bytea as bytes,
  'ok'::conf_mood as mood,
  array['happy', 'sad']::conf_mood[] as moods,
  5::conf_positive as positive`

/** Tables the introspection case expects to find. */
export const SCHEMA_TABLES = [
  'conf_types',
  'conf_users',
  'conf_posts',
  'conf_items',
  'conf_oncall',
  'conf_parents',
  'conf_children',
  'conf_locks',
  'conf_cache',
  'conf_accounts',
]

/**
 * The row written by the CRUD case (JS values as an app passes them). Dates are built in local
 * time, as an app does; the suite runs in a non-UTC process time zone so local-time handling shows.
 */
export function typesRow(): Record<string, unknown> {
  return {
    id: 1,
    c_int2: -12,
    c_int4: 2147483647,
    c_int8: '9007199254740993',
    c_numeric: '12345678901234567890.1234',
    c_float8: 0.1,
    c_bool: true,
    c_text: 'héllo, "world" ☃ \\ end',
    c_varchar: 'short',
    c_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    c_bytea: Buffer.from([0, 1, 2, 255]),
    c_json: JSON.stringify({ a: [1, 2, { b: null }], s: 'x' }),
    c_jsonb: JSON.stringify({ n: 1.5, list: ['y', true] }),
    c_date: new Date(2024, 1, 29),
    c_timestamp: new Date(2024, 1, 29, 13, 14, 15, 678),
    c_timestamptz: new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
    c_interval: '1 year 2 mons 3 days 04:05:06.5',
    c_int4_array: [1, null, 3],
    c_text_array: ['a', 'b,c', 'd"e', null],
    c_mood: 'sad',
  }
}

/** The same columns, all NULL (every ORM returns null for them). */
export function nullTypesRow(id: number): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const key of Object.keys(typesRow())) row[key] = key === 'id' ? id : null
  return row
}
