/**
 * The type codec registry of @tusk/core: OID → text/binary decoders and parameter encoders
 * for built-in and user types. Layer 2: pure functions and data; imports only errors/.
 */

export type { MappingOptions } from './builtin-codecs.js'
export { CATALOG_QUERY, type CatalogTypeRow } from './catalog.js'
export type { BytesDecoder, Codec, EncodedParameter, RangeDecoder, TextParser } from './codec.js'
export { withDecodeContext } from './codec-errors.js'
export type { CompositeAttribute } from './composite.js'
export type { DateMode } from './date.js'
export type { Circle, Line, Path, Point } from './geometric.js'
export type { Int8Mode } from './integer.js'
export { Interval } from './interval.js'
export type { NumericMode } from './numeric.js'
export { OID, OID_SOURCE_VERSION } from './oids.generated.js'
export { inferredParameterOid } from './parameter.js'
export { PgTimestamp } from './pg-timestamp.js'
export { Range, type RangeBounds } from './range.js'
export {
  type ColumnDecoder,
  type CustomCodec,
  defaultTypes,
  type TextParserFunction,
  type TypeOptions,
  TypeRegistry,
} from './registry.js'
export type { TimestampMode } from './timestamp.js'
export type { TypeInfo, TypeKind } from './type-info.js'
