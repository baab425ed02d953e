/**
 * The type mapping of the `pg` module (pg-types 2), expressed as @tusk/core `TypeOptions`, so a
 * pool of @tusk/core returns what `pg` returns: int8 and numeric as strings, numeric[] as
 * numbers, date/timestamp/timestamptz as `Date` (local time where PostgreSQL gives no zone),
 * interval as a `PostgresInterval`, bytea as `Buffer`, and the server's text for every type
 * pg-types does not parse (ranges, geometric types but point and circle, arrays it does not know).
 */
import { OID, type TypeOptions } from '@tusk/core'
import { parsePgDateTime } from './pg-dates.js'
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

/** bytea's text forms (`\x` hex, or the old escape format) as a Buffer, as postgres-bytea does. */
function parseByteaText(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex')
  const bytes: number[] = []
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '\\') {
      bytes.push(text.charCodeAt(i) & 0xff)
      i++
    } else if (/^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8))
      i += 4
    } else {
      let run = 1
      while (i + run < text.length && text[i + run] === '\\') run++
      for (let k = 0; k < Math.floor(run / 2); k++) bytes.push(0x5c)
      i += Math.floor(run / 2) * 2
    }
  }
  return Buffer.from(bytes)
}

/**
 * The elements of a one- or more-dimensional array literal (`{1.5,NULL,{2,3}}`), each unquoted
 * and unescaped text passed to `parse` (NULL stays null), nested arrays as nested JS arrays.
 */
export function parseArrayLiteral<T>(
  text: string,
  parse: (element: string) => T,
): (T | null | unknown[])[] {
  let i = 0
  if (text[0] === '[') i = text.indexOf('=') + 1
  const read = (): (T | null | unknown[])[] => {
    const out: (T | null | unknown[])[] = []
    i++ // {
    let item = ''
    let quoted = false
    let sawQuotes = false
    let pending = false
    const flush = (): void => {
      if (pending || item.length > 0) {
        if (!sawQuotes && item === 'NULL') out.push(null)
        else out.push(parse(item))
      }
      item = ''
      sawQuotes = false
      pending = false
    }
    while (i < text.length) {
      const c = text[i]!
      if (quoted) {
        if (c === '\\') {
          item += text[i + 1] ?? ''
          i += 2
          continue
        }
        if (c === '"') quoted = false
        else item += c
        i++
        continue
      }
      if (c === '{') {
        out.push(read())
        continue
      }
      if (c === '}') {
        flush()
        i++
        return out
      }
      if (c === '"') {
        quoted = true
        sawQuotes = true
        pending = true
      } else if (c === ',') flush()
      else item += c
      i++
    }
    throw new SyntaxError(`unbalanced array literal: ${text.slice(0, 40)}`)
  }
  return read()
}

function buildParsers(): Record<string, (text: string) => unknown> {
  const parsers: Record<string, (text: string) => unknown> = {}
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
  parsers[String(OID._numeric)] = (text) => parseArrayLiteral(text, Number.parseFloat)
  return parsers
}

/**
 * `TypeOptions` that make @tusk/core return what `pg` (pg-types 2) returns, value for value and
 * class for class. Pass it as the `types` option of `createPool`/`connect`, or let
 * `TuskDialect` apply it (its default).
 */
export const pgTypes: TypeOptions = Object.freeze({
  int8: 'string',
  numeric: 'string',
  parsers: Object.freeze(buildParsers()),
  codecs: Object.freeze({
    [String(OID.bytea)]: {
      decodeBinary: (bytes: Uint8Array) => Buffer.from(bytes),
      parseText: parseByteaText,
      preferBinary: true,
    },
  }),
})
