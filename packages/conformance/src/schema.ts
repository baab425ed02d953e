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
`

/** Tables the introspection case expects to find. */
export const SCHEMA_TABLES = ['conf_types', 'conf_users', 'conf_posts', 'conf_items', 'conf_oncall']

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
