/**
 * The codec of each built-in base type by typname, with the mapping options (int8, numeric,
 * dates, timestamps) applied; the registry builds the rest from these. Pure.
 */
import { bitStringCodec } from './bit-string.js'
import { boolCodec } from './boolean.js'
import { byteaCodec } from './bytea.js'
import type { Codec } from './codec.js'
import { type DateMode, dateCodec } from './date.js'
import { float4Codec, float8Codec } from './float.js'
import {
  boxCodec,
  circleCodec,
  lineCodec,
  lsegCodec,
  pathCodec,
  pointCodec,
  polygonCodec,
} from './geometric.js'
import { type Int8Mode, int2Codec, int4Codec, int8Codec, uint4Codec } from './integer.js'
import { intervalCodec } from './interval.js'
import { jsonbCodec, jsonCodec, jsonpathCodec } from './json.js'
import { moneyCodec } from './money.js'
import { inetCodec, macCodec } from './network.js'
import { type NumericMode, numericCodec } from './numeric.js'
import { pgLsnCodec, regCodec, tidCodec, vectorCodec, xid8Codec } from './system-types.js'
import { charCodec, stringCodec, voidCodec } from './text.js'
import { timeCodec, timetzCodec } from './time.js'
import { type TimestampMode, timestampCodec } from './timestamp.js'
import { uuidCodec } from './uuid.js'

/** The options that change how built-in types decode. */
export interface MappingOptions {
  /** int8 as `bigint`, `number` or `string`. */
  readonly int8: Int8Mode
  /** numeric as `string` or `number`. */
  readonly numeric: NumericMode
  /** date as `string` or `date`. */
  readonly dates: DateMode
  /** timestamp and timestamptz as `date` (PgTimestamp) or `string`. */
  readonly timestamps: TimestampMode
}

/** The defaults: nothing loses precision. */
export const DEFAULT_MAPPING: MappingOptions = Object.freeze({
  int8: 'bigint',
  numeric: 'string',
  dates: 'string',
  timestamps: 'date',
})

const STATIC: Readonly<Record<string, Codec>> = {
  bool: boolCodec,
  bytea: byteaCodec,
  char: charCodec,
  name: stringCodec('name'),
  text: stringCodec('text'),
  varchar: stringCodec('varchar'),
  bpchar: stringCodec('bpchar'),
  unknown: stringCodec('unknown'),
  xml: stringCodec('xml'),
  cstring: stringCodec('cstring'),
  refcursor: stringCodec('refcursor'),
  json: jsonCodec,
  jsonb: jsonbCodec,
  jsonpath: jsonpathCodec,
  int2: int2Codec,
  int4: int4Codec,
  oid: uint4Codec('oid'),
  xid: uint4Codec('xid'),
  cid: uint4Codec('cid'),
  xid8: xid8Codec,
  tid: tidCodec,
  pg_lsn: pgLsnCodec,
  int2vector: vectorCodec('int2vector'),
  oidvector: vectorCodec('oidvector'),
  regproc: regCodec('regproc'),
  regprocedure: regCodec('regprocedure'),
  regoper: regCodec('regoper'),
  regoperator: regCodec('regoperator'),
  regclass: regCodec('regclass'),
  regtype: regCodec('regtype'),
  regrole: regCodec('regrole'),
  regnamespace: regCodec('regnamespace'),
  regconfig: regCodec('regconfig'),
  regdictionary: regCodec('regdictionary'),
  regcollation: regCodec('regcollation'),
  float4: float4Codec,
  float8: float8Codec,
  money: moneyCodec,
  point: pointCodec,
  lseg: lsegCodec,
  path: pathCodec,
  box: boxCodec,
  polygon: polygonCodec,
  line: lineCodec,
  circle: circleCodec,
  inet: inetCodec('inet'),
  cidr: inetCodec('cidr'),
  macaddr: macCodec('macaddr'),
  macaddr8: macCodec('macaddr8'),
  bit: bitStringCodec('bit'),
  varbit: bitStringCodec('varbit'),
  time: timeCodec,
  timetz: timetzCodec,
  interval: intervalCodec,
  uuid: uuidCodec,
  void: voidCodec,
}

const INT8: Readonly<Record<Int8Mode, Codec>> = {
  bigint: int8Codec('bigint'),
  number: int8Codec('number'),
  string: int8Codec('string'),
}
const NUMERIC: Readonly<Record<NumericMode, Codec>> = {
  string: numericCodec('string'),
  number: numericCodec('number'),
}
const DATE: Readonly<Record<DateMode, Codec>> = {
  string: dateCodec('string'),
  date: dateCodec('date'),
}
const TIMESTAMP: Readonly<Record<TimestampMode, Codec>> = {
  date: timestampCodec(false, 'date'),
  string: timestampCodec(false, 'string'),
}
const TIMESTAMPTZ: Readonly<Record<TimestampMode, Codec>> = {
  date: timestampCodec(true, 'date'),
  string: timestampCodec(true, 'string'),
}

/** The codec of a built-in base type by typname under `options`, or undefined (text only). */
export function builtinCodec(typname: string, options: MappingOptions): Codec | undefined {
  switch (typname) {
    case 'int8':
      return INT8[options.int8]
    case 'numeric':
      return NUMERIC[options.numeric]
    case 'date':
      return DATE[options.dates]
    case 'timestamp':
      return TIMESTAMP[options.timestamps]
    case 'timestamptz':
      return TIMESTAMPTZ[options.timestamps]
    default:
      return Object.hasOwn(STATIC, typname) ? STATIC[typname] : undefined
  }
}
