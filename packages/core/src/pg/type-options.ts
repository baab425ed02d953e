/**
 * The result mapping of the `pg` module (pg-types 2) as @tusk/core `TypeOptions`, so a pool,
 * session or query given it returns what `pg` returns: int8 and numeric as strings, numeric[] as
 * numbers, date/timestamp/timestamptz as `Date` (local time where PostgreSQL gives no zone),
 * interval as a `PostgresInterval`, bytea as `Buffer`, and the server's text for every type
 * pg-types does not parse (ranges, geometric types but point and circle, arrays it does not
 * know). Data only: applying it is the caller's choice, per pool or per query, never global.
 */
import { OID } from '../types/oids.generated.js'
import type { CustomCodec, TextParserFunction, TypeOptions } from '../types/registry.js'
import { normalizeTypeName } from '../types/type-info.js'
import { parsePgArray } from './array-literal.js'
import { parsePgBytea } from './bytea-text.js'
import { parsePgDateTime } from './dates.js'
import { PostgresInterval } from './postgres-interval.js'

/** Types pg-types 2 parses (text format, by OID); every other type is the server's text. */
const PARSED_BY_PG: ReadonlySet<number> = new Set([
  16, 17, 20, 21, 23, 26, 114, 199, 600, 651, 700, 701, 718, 791, 1000, 1001, 1005, 1007, 1008,
  1009, 1014, 1015, 1016, 1017, 1021, 1022, 1028, 1040, 1041, 1082, 1114, 1115, 1182, 1183, 1184,
  1185, 1186, 1187, 1231, 1270, 2951, 3802, 3807, 3907,
])

/**
 * Types pg-types leaves as text that @tusk/core already decodes to exactly the server's text:
 * no parser needed (and their fast paths stay).
 */
const ALREADY_TEXT: ReadonlySet<number> = new Set([
  OID.char,
  OID.name,
  OID.text,
  OID.xml,
  OID.unknown,
  OID.cidr,
  OID.inet,
  OID.macaddr,
  OID.macaddr8,
  OID.money,
  OID.bpchar,
  OID.varchar,
  OID.time,
  OID.timetz,
  OID.bit,
  OID.varbit,
  OID.numeric,
  OID.refcursor,
  OID.cstring,
  OID.uuid,
  OID.regproc,
  OID.regprocedure,
  OID.regoper,
  OID.regoperator,
  OID.regclass,
  OID.regtype,
  OID.regrole,
  OID.regnamespace,
  OID.regconfig,
  OID.regdictionary,
  OID.regcollation,
  OID.pg_lsn,
  OID.jsonpath,
  OID.tsvector,
  OID.tsquery,
])

/** The text itself: what `pg` returns for a type it has no parser for. */
const serverText = (text: string): string => text

function buildParsers(): Record<string, TextParserFunction> {
  const parsers: Record<string, TextParserFunction> = {}
  for (const oid of Object.values(OID)) {
    if (!PARSED_BY_PG.has(oid) && !ALREADY_TEXT.has(oid)) parsers[String(oid)] = serverText
  }
  // Composites and records are not in the built-in rows pg-types knows either.
  parsers[String(OID.record)] = serverText
  parsers[String(OID.float4)] = Number.parseFloat
  parsers[String(OID.date)] = parsePgDateTime
  parsers[String(OID.timestamp)] = parsePgDateTime
  parsers[String(OID.timestamptz)] = parsePgDateTime
  parsers[String(OID.interval)] = (text) => new PostgresInterval(text)
  parsers[String(OID._numeric)] = (text) => parsePgArray(text, Number.parseFloat)
  return parsers
}

const BYTEA_AS_BUFFER: CustomCodec = Object.freeze({
  decodeBinary: (bytes: Uint8Array) => Buffer.from(bytes),
  parseText: parsePgBytea,
  preferBinary: true,
})

/**
 * `TypeOptions` that make @tusk/core return what `pg` (pg-types 2) returns, value for value and
 * class for class. Frozen; pass it as the `types` option of `createPool`/`connect` or of one
 * query, or layer your own options over it with {@link pgTypeOptions}.
 */
export const pgTypes: TypeOptions = Object.freeze({
  int8: 'string',
  numeric: 'string',
  parsers: Object.freeze(buildParsers()),
  codecs: Object.freeze({ [String(OID.bytea)]: BYTEA_AS_BUFFER }),
})

/** The OID of the built-in type `key` names (an OID, or a name as `TypeOptions` takes it). */
function builtinOid(key: string): number | undefined {
  if (/^\d{1,10}$/.test(key)) return Number(key)
  const name = normalizeTypeName(key)
  return Object.hasOwn(OID, name) ? OID[name as keyof typeof OID] : undefined
}

/**
 * {@link pgTypes} with `overrides` layered on top, the overrides winning per type whether keyed
 * by OID or by name: their `int8`/`numeric`/`dates`/`timestamps` replace pg's; a parser replaces
 * pg's decoding of its type; a codec's pieces replace the same pieces of pg's codec for the type,
 * and pg's parser for it only when the codec decodes (`parseText` or `decodeBinary`). Returns a
 * new frozen object, or `pgTypes` itself when `overrides` is absent. Does not mutate either.
 */
export function pgTypeOptions(overrides?: TypeOptions): TypeOptions {
  if (overrides === undefined) return pgTypes
  const parsers: Record<string, TextParserFunction> = { ...pgTypes.parsers }
  const codecs: Record<string, CustomCodec> = { ...pgTypes.codecs }
  for (const [key, parser] of Object.entries(overrides.parsers ?? {})) {
    const oid = builtinOid(key)
    if (oid !== undefined) {
      delete parsers[oid]
      delete codecs[oid]
    }
    parsers[key] = parser
  }
  for (const [key, codec] of Object.entries(overrides.codecs ?? {})) {
    const oid = builtinOid(key)
    let base: CustomCodec | undefined
    if (oid !== undefined) {
      base = codecs[oid]
      delete codecs[oid]
      if (codec.parseText !== undefined || codec.decodeBinary !== undefined) delete parsers[oid]
    }
    codecs[key] = base === undefined ? codec : Object.freeze({ ...base, ...codec })
  }
  return Object.freeze({
    int8: overrides.int8 ?? pgTypes.int8,
    numeric: overrides.numeric ?? pgTypes.numeric,
    ...(overrides.dates === undefined ? {} : { dates: overrides.dates }),
    ...(overrides.timestamps === undefined ? {} : { timestamps: overrides.timestamps }),
    parsers: Object.freeze(parsers),
    codecs: Object.freeze(codecs),
  })
}
