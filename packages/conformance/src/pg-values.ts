/**
 * The values `pg` (pg-types 2, its defaults) gives for the suite's rows: what every ORM that sits on
 * `pg` returns, and so what its Tusk adapter must return too.
 */

/**
 * The interval class `pg` returns is named PostgresInterval; the expectation only needs an
 * object of a class with that name and the same own properties.
 */
class PostgresInterval {
  constructor(fields: Record<string, number>) {
    Object.assign(this, fields)
  }
}

/** The types row as an ORM over `pg` returns it (pg-types 2 defaults). */
export const PG_TYPES_VALUES = {
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
  c_json: { a: [1, 2, { b: null }], s: 'x' },
  c_jsonb: { n: 1.5, list: ['y', true] },
  c_date: new Date(2024, 1, 29),
  c_timestamp: new Date(2024, 1, 29, 13, 14, 15, 678),
  c_timestamptz: new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
  c_interval: new PostgresInterval({
    years: 1,
    months: 2,
    days: 3,
    hours: 4,
    minutes: 5,
    seconds: 6,
    milliseconds: 500,
  }),
  c_int4_array: [1, null, 3],
  c_text_array: ['a', 'b,c', 'd"e', null],
  c_mood: 'sad',
}

/**
 * The edge-case row as an ORM over `pg` returns it (pg-types 2): int8 and numeric as text, the
 * infinities as numbers, BC dates in local time, numeric[] as floats, ranges and enum arrays as
 * text, a domain as its base type.
 */
export const PG_EDGE_VALUES = {
  big: '9007199254740993',
  big_min: '-9223372036854775808',
  num: '12345678901234567890.123456789012345678901234567890',
  num_nan: 'NaN',
  tstz_inf: Number.POSITIVE_INFINITY,
  ts_ninf: Number.NEGATIVE_INFINITY,
  date_inf: Number.POSITIVE_INFINITY,
  date_bc: new Date(-43, 2, 15),
  ts_bc: new Date(-43, 2, 15, 12, 30),
  int8s: ['9007199254740993', '-1'],
  nums: [1.1, 2.2, null],
  dates: [new Date(2024, 1, 29), null],
  uuids: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  jsons: [{ a: 1 }, [2, 'x']],
  int_range: '[1,10)',
  ts_range: '["2024-01-01 00:00:00+00",)',
  proto_json: JSON.parse('{"x": 1, "__proto__": {"polluted": true}}') as unknown,
  bytes: Buffer.from('00ff10', 'hex'),
  mood: 'ok',
  moods: '{happy,sad}',
  positive: 5,
}
