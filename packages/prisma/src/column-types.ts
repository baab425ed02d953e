/**
 * Result columns for Prisma: which `ColumnType` each PostgreSQL type reports, and the type mapping
 * that makes `@tusk/core` return the values Prisma's PostgreSQL connector reads for them.
 */
import { type ColumnType, ColumnTypeEnum } from '@prisma/driver-adapter-utils'
import { OID, type TypeOptions } from '@tusk/core'

/**
 * OIDs of the built-in types Prisma reads (from PostgreSQL's `pg_type.dat`). Types created by a
 * user (enums, domains over them, extension types) have OIDs from 16384 (`FirstNormalObjectId`,
 * `src/include/access/transam.h`).
 */
const FIRST_NORMAL_OBJECT_ID = 16384

const COLUMN_TYPES: ReadonlyMap<number, ColumnType> = new Map<number, ColumnType>([
  [16, ColumnTypeEnum.Boolean], // bool
  [17, ColumnTypeEnum.Bytes], // bytea
  [18, ColumnTypeEnum.Character], // "char"
  [19, ColumnTypeEnum.Text], // name
  [20, ColumnTypeEnum.Int64], // int8
  [21, ColumnTypeEnum.Int32], // int2
  [23, ColumnTypeEnum.Int32], // int4
  [25, ColumnTypeEnum.Text], // text
  [26, ColumnTypeEnum.Int64], // oid
  [114, ColumnTypeEnum.Json], // json
  [142, ColumnTypeEnum.Text], // xml
  [650, ColumnTypeEnum.Text], // cidr
  [700, ColumnTypeEnum.Float], // float4
  [701, ColumnTypeEnum.Double], // float8
  [774, ColumnTypeEnum.Text], // macaddr8
  [790, ColumnTypeEnum.Numeric], // money
  [829, ColumnTypeEnum.Text], // macaddr
  [869, ColumnTypeEnum.Text], // inet
  [1042, ColumnTypeEnum.Text], // bpchar
  [1043, ColumnTypeEnum.Text], // varchar
  [1082, ColumnTypeEnum.Date], // date
  [1083, ColumnTypeEnum.Time], // time
  [1114, ColumnTypeEnum.DateTime], // timestamp
  [1184, ColumnTypeEnum.DateTime], // timestamptz
  [1186, ColumnTypeEnum.Text], // interval
  [1266, ColumnTypeEnum.Time], // timetz
  [1560, ColumnTypeEnum.Text], // bit
  [1562, ColumnTypeEnum.Text], // varbit
  [1700, ColumnTypeEnum.Numeric], // numeric
  [2950, ColumnTypeEnum.Uuid], // uuid
  [3802, ColumnTypeEnum.Json], // jsonb
  [143, ColumnTypeEnum.TextArray], // xml[]
  [199, ColumnTypeEnum.JsonArray], // json[]
  [651, ColumnTypeEnum.TextArray], // cidr[]
  [775, ColumnTypeEnum.TextArray], // macaddr8[]
  [791, ColumnTypeEnum.NumericArray], // money[]
  [1000, ColumnTypeEnum.BooleanArray], // bool[]
  [1001, ColumnTypeEnum.BytesArray], // bytea[]
  [1002, ColumnTypeEnum.CharacterArray], // "char"[]
  [1003, ColumnTypeEnum.TextArray], // name[]
  [1005, ColumnTypeEnum.Int32Array], // int2[]
  [1007, ColumnTypeEnum.Int32Array], // int4[]
  [1009, ColumnTypeEnum.TextArray], // text[]
  [1014, ColumnTypeEnum.TextArray], // bpchar[]
  [1015, ColumnTypeEnum.TextArray], // varchar[]
  [1016, ColumnTypeEnum.Int64Array], // int8[]
  [1021, ColumnTypeEnum.FloatArray], // float4[]
  [1022, ColumnTypeEnum.DoubleArray], // float8[]
  [1028, ColumnTypeEnum.Int64Array], // oid[]
  [1040, ColumnTypeEnum.TextArray], // macaddr[]
  [1041, ColumnTypeEnum.TextArray], // inet[]
  [1115, ColumnTypeEnum.DateTimeArray], // timestamp[]
  [1182, ColumnTypeEnum.DateArray], // date[]
  [1183, ColumnTypeEnum.TimeArray], // time[]
  [1185, ColumnTypeEnum.DateTimeArray], // timestamptz[]
  [1187, ColumnTypeEnum.TextArray], // interval[]
  [1231, ColumnTypeEnum.NumericArray], // numeric[]
  [1270, ColumnTypeEnum.TimeArray], // timetz[]
  [1561, ColumnTypeEnum.TextArray], // bit[]
  [1563, ColumnTypeEnum.TextArray], // varbit[]
  [2951, ColumnTypeEnum.UuidArray], // uuid[]
  [3807, ColumnTypeEnum.JsonArray], // jsonb[]
])

/**
 * Built-in types Prisma has no type of its own for, read as their text (and lists of them as lists
 * of text) so that a raw query can return them: geometry, ranges and multiranges, text search,
 * LSNs, snapshots and transaction ids, `reg*` names, anonymous records.
 */
const READ_AS_TEXT: readonly string[] = [
  'point',
  'lseg',
  'path',
  'box',
  'polygon',
  'line',
  'circle',
  'int4range',
  'int8range',
  'numrange',
  'tsrange',
  'tstzrange',
  'daterange',
  'int4multirange',
  'int8multirange',
  'nummultirange',
  'tsmultirange',
  'tstzmultirange',
  'datemultirange',
  'tsvector',
  'tsquery',
  'jsonpath',
  'pg_lsn',
  'txid_snapshot',
  'pg_snapshot',
  'xid',
  'xid8',
  'cid',
  'tid',
  'int2vector',
  'oidvector',
  'aclitem',
  'refcursor',
  'record',
  'regclass',
  'regtype',
  'regproc',
  'regprocedure',
  'regoper',
  'regoperator',
  'regconfig',
  'regdictionary',
  'regnamespace',
  'regrole',
  'regcollation',
]

const OIDS = OID as Readonly<Record<string, number>>
const TEXT_OIDS = new Set(READ_AS_TEXT.map((name) => OIDS[name]).filter((o) => o !== undefined))
const TEXT_ARRAY_OIDS = new Set(
  READ_AS_TEXT.map((name) => OIDS[`_${name}`]).filter((o) => o !== undefined),
)

/**
 * The `ColumnType` Prisma gets for a result column of type `oid`, or `undefined` for a pseudo-type
 * no value can have (the caller reports `UnsupportedNativeDataType`). Types a user created (enums
 * above all) are read as their text.
 */
export function columnTypeOf(oid: number): ColumnType | undefined {
  const known = COLUMN_TYPES.get(oid)
  if (known !== undefined) return known
  if (TEXT_OIDS.has(oid)) return ColumnTypeEnum.Text
  if (TEXT_ARRAY_OIDS.has(oid)) return ColumnTypeEnum.TextArray
  return oid >= FIRST_NORMAL_OBJECT_ID ? ColumnTypeEnum.Text : undefined
}

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(OID).map(([name, oid]) => [oid as number, name]),
)

/** The name of a built-in type (`interval`, `point`), or its OID as text for any other. */
export function typeNameOf(oid: number): string {
  return NAMES.get(oid) ?? String(oid)
}

const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d{1,6})?$/
const TIMESTAMPTZ =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d{1,6})?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/**
 * `timestamp` text (ISO DateStyle) as the RFC 3339 text Prisma parses, in UTC: `2024-05-01
 * 10:00:00.5` → `2024-05-01T10:00:00.5+00:00`. Infinities and BC dates stay the server's text.
 */
export function timestampText(text: string): string {
  return TIMESTAMP.test(text) ? `${text.replace(' ', 'T')}+00:00` : text
}

/** Char codes of `YYYY-MM-DD HH:MM:SS`: the separator at each place, 0 where a digit goes. */
const DATE_TIME_SHAPE = [0, 0, 0, 0, 45, 0, 0, 45, 0, 0, 32, 0, 0, 58, 0, 0, 58, 0, 0]

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/**
 * Whether `text` is `YYYY-MM-DD HH:MM:SS[.ffffff]+00`: what a session in UTC sends for every
 * timestamptz of years 1000–9999, checked without a regular expression (this runs once per value
 * of every row read).
 */
function isUtcTimestamptz(text: string): boolean {
  const n = text.length
  // 19 characters of date and time, an optional fraction of 1 to 6 digits, then `+00`.
  if (n < 22 || n === 23 || n > 29) return false
  if (
    text.charCodeAt(n - 3) !== 43 ||
    text.charCodeAt(n - 2) !== 48 ||
    text.charCodeAt(n - 1) !== 48
  ) {
    return false
  }
  for (let i = 0; i < 19; i++) {
    const c = text.charCodeAt(i)
    const separator = DATE_TIME_SHAPE[i]!
    if (separator === 0 ? !isDigit(c) : c !== separator) return false
  }
  if (n === 22) return true
  if (text.charCodeAt(19) !== 46) return false
  for (let i = 20; i < n - 3; i++) if (!isDigit(text.charCodeAt(i))) return false
  return true
}

/**
 * `timestamptz` text (ISO DateStyle, in the session's TimeZone) as RFC 3339 text in UTC, fraction
 * kept to the microsecond: `2024-05-01 12:00:00.123456+02` → `2024-05-01T10:00:00.123456+00:00`.
 */
export function timestamptzText(text: string): string {
  // Already in UTC (the common case): only the separator and the offset's form change.
  if (isUtcTimestamptz(text)) return `${text.slice(0, 10)}T${text.slice(11, -3)}+00:00`
  const m = TIMESTAMPTZ.exec(text)
  if (m === null) return text
  const [, y, mo, d, h, mi, s, fraction = '', sign, oh, om = '0', os = '0'] = m
  if (oh === '00' && Number(om) === 0 && Number(os) === 0) {
    return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}+00:00`
  }
  const offset = (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * (sign === '-' ? -1 : 1)
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear puts the year back.
  const at = new Date(local)
  at.setUTCFullYear(Number(y))
  const utc = new Date(at.getTime() - offset * 1000)
  const year = utc.getUTCFullYear()
  return (
    `${pad(year, 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}` +
    `T${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}` +
    `${fraction}+00:00`
  )
}

/** `timetz` text without its offset: Prisma's `Time` is a wall-clock time. */
export function timetzText(text: string): string {
  return text.replace(/[+-]\d\d(?::\d\d){0,2}$/, '')
}

/** `money` text as a decimal: currency symbol and group separators dropped (`-$1,234.50` → `-1234.50`). */
export function moneyText(text: string): string {
  const negative = text.includes('-') || text.startsWith('(')
  const digits = text.replace(/[^0-9.]/g, '')
  return negative ? `-${digits}` : digits
}

function same(text: string): string {
  return text
}

/**
 * The type mapping Prisma reads (set per pool, or per query on a pool the app made; never
 * globally): int8 and numeric as exact text, json and jsonb as their JSON text (Prisma parses it),
 * date and time as text, timestamps as RFC 3339 text in UTC with the microseconds, bytea as bytes,
 * interval, ranges, geometry and the other built-in types Prisma has no type for as their text.
 * Arrays follow their elements.
 */
export const prismaTypes: TypeOptions = Object.freeze({
  int8: 'string',
  numeric: 'string',
  dates: 'string',
  parsers: Object.freeze({
    json: same,
    jsonb: same,
    timestamp: timestampText,
    timestamptz: timestamptzText,
    timetz: timetzText,
    money: moneyText,
    interval: same,
    ...Object.fromEntries([...TEXT_OIDS].map((oid) => [String(oid), same])),
  }),
})
