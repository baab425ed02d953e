/**
 * The text parsers `pg` applies by default (pg-types 2), one per built-in OID, made from the
 * building blocks of `@tusk/core/pg`: int2/int4/oid and floats as numbers, int8 and numeric as
 * strings, bool, json, bytea as `Buffer`, date/timestamp/timestamptz as `Date`, interval as
 * `PostgresInterval`, point and circle as objects, and the arrays of those. Every other type is
 * the server's text.
 */
import { PostgresInterval, parsePgArray, parsePgBytea, parsePgDateTime } from '@tusk/core/pg'

/** A text parser as `pg.types.setTypeParser` takes it: the column's text in, the JS value out. */
export type TypeParser<T = unknown> = (value: string) => T

/** The text itself, for types `pg` does not parse. */
export const noParse: TypeParser<string> = (value) => value

const parseInteger: TypeParser<number> = (value) => Number.parseInt(value, 10)
const parseFloatText: TypeParser<number> = (value) => Number.parseFloat(value)
const TRUE_TEXT = new Set(['TRUE', 't', 'true', 'y', 'yes', 'on', '1'])
const parseBool: TypeParser<boolean> = (value) => TRUE_TEXT.has(value)
const parseJson: TypeParser = (value) => JSON.parse(value)
const parseInterval: TypeParser<PostgresInterval> = (value) => new PostgresInterval(value)

/** `(x,y)` → `{ x, y }`, as pg-types returns a point. */
function parsePoint(value: string): { x: number; y: number } {
  const comma = value.indexOf(',')
  return {
    x: Number.parseFloat(value.slice(value.indexOf('(') + 1, comma)),
    y: Number.parseFloat(value.slice(comma + 1)),
  }
}

/** `<(x,y),r>` → `{ x, y, radius }`, as pg-types returns a circle. */
function parseCircle(value: string): { x: number; y: number; radius: number } {
  const close = value.indexOf(')')
  const point = parsePoint(value.slice(value.indexOf('('), close + 1))
  const radius = Number.parseFloat(value.slice(value.indexOf(',', close) + 1))
  return { x: point.x, y: point.y, radius }
}

/** An array parser whose elements go through `element`. */
export function arrayOf(element: TypeParser): TypeParser {
  return (value) => parsePgArray(value, element)
}

const parseStringArray = arrayOf(noParse)

/** The default text parser of each OID that `pg` parses. */
export const DEFAULT_TEXT_PARSERS: ReadonlyMap<number, TypeParser> = new Map<number, TypeParser>([
  [16, parseBool],
  [17, parsePgBytea],
  [20, noParse],
  [21, parseInteger],
  [23, parseInteger],
  [26, parseInteger],
  [114, parseJson],
  [199, arrayOf(parseJson)],
  [600, parsePoint],
  [651, parseStringArray],
  [700, parseFloatText],
  [701, parseFloatText],
  [718, parseCircle],
  [791, parseStringArray],
  [1000, arrayOf(parseBool)],
  [1001, arrayOf(parsePgBytea)],
  [1005, arrayOf(parseInteger)],
  [1007, arrayOf(parseInteger)],
  [1008, parseStringArray],
  [1009, parseStringArray],
  [1014, parseStringArray],
  [1015, parseStringArray],
  [1016, parseStringArray],
  [1017, arrayOf(parsePoint)],
  [1021, arrayOf(parseFloatText)],
  [1022, arrayOf(parseFloatText)],
  [1028, arrayOf(parseInteger)],
  [1040, parseStringArray],
  [1041, parseStringArray],
  [1082, parsePgDateTime],
  [1114, parsePgDateTime],
  [1115, arrayOf(parsePgDateTime)],
  [1182, arrayOf(parsePgDateTime)],
  [1183, parseStringArray],
  [1184, parsePgDateTime],
  [1185, arrayOf(parsePgDateTime)],
  [1186, parseInterval],
  [1187, arrayOf(parseInterval)],
  [1231, arrayOf(parseFloatText)],
  [1270, parseStringArray],
  [2951, parseStringArray],
  [3802, parseJson],
  [3807, arrayOf(parseJson)],
  [3907, parseStringArray],
])

/** int8 and int8[] as numbers: what `pg.defaults.parseInt8 = true` installs. */
export const INT8_AS_NUMBER: readonly [number, TypeParser][] = [
  [20, parseInteger],
  [1016, arrayOf(parseInteger)],
]

/** int8 and int8[] as strings: pg's default, restored by `pg.defaults.parseInt8 = false`. */
export const INT8_AS_STRING: readonly [number, TypeParser][] = [
  [20, noParse],
  [1016, parseStringArray],
]
