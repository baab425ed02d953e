/**
 * TypeRegistry: OID → codec, scoped and copy-on-write (`defaultTypes` frozen; `extend` and
 * `withCatalogTypes` return new registries). Pure: no I/O.
 */
import { arrayCodec, type CodecLookup } from './array.js'
import { builtinCodec, DEFAULT_MAPPING, type MappingOptions } from './builtin-codecs.js'
import { type CatalogTypeRow, catalogTypeInfos } from './catalog.js'
import {
  type BytesDecoder,
  type Codec,
  defineCodec,
  type EncodedParameter,
  NULL_PARAMETER,
  type RangeDecoder,
} from './codec.js'
import { decodeError, EncodeFailure, parameterError, withDecodeContext } from './codec-errors.js'
import { compositeCodec, recordCodec } from './composite.js'
import type { DateMode } from './date.js'
import type { Int8Mode } from './integer.js'
import { inferredText } from './literal.js'
import type { NumericMode } from './numeric.js'
import { encodeInferred, hasNul } from './parameter.js'
import { multirangeCodec, rangeCodec } from './range.js'
import { textOnlyCodec } from './text.js'
import type { TimestampMode } from './timestamp.js'
import { BUILTIN_TYPES, normalizeTypeName, type TypeInfo } from './type-info.js'
import { utf8Decode, utf8DecodeRange, utf8Encode } from './utf8.js'

/** A custom text parser: the column's text in, the JS value out. */
export type TextParserFunction = (text: string) => unknown

/**
 * A custom codec for one type; each piece given replaces the built-in one, the others stay.
 * Functions receive views valid only during the call.
 */
export interface CustomCodec {
  /** Text format: the value's text in, the JS value out. */
  readonly parseText?: (text: string) => unknown
  /** Binary format: the value's bytes (a view valid only during the call) in, the JS value out. */
  readonly decodeBinary?: (bytes: Uint8Array) => unknown
  /** A parameter value out: a string (text format), a Uint8Array (binary format) or null. */
  readonly encode?: (value: unknown) => string | Uint8Array | null
  /** Request this type in binary format (needs `decodeBinary`, or the built-in one). */
  readonly preferBinary?: boolean
}

/** How values map to JS; applied with `registry.extend(options)`, inherited by arrays and ranges. */
export interface TypeOptions {
  /** int8: `bigint` (default), `number` (a DataError beyond ±2^53-1, never rounded), `string`. */
  readonly int8?: Int8Mode
  /** numeric: `string` (default, exact) or `number` (rounded to a double). */
  readonly numeric?: NumericMode
  /** date: `string` (default, `YYYY-MM-DD`) or `date` (a Date at UTC midnight). */
  readonly dates?: DateMode
  /** timestamp/timestamptz: `date` (default, PgTimestamp) or `string` (the server's text). */
  readonly timestamps?: TimestampMode
  /**
   * Custom text parsers by OID or type name (`int4`, `integer`, `_int4`/`int4[]`, `myschema.mood`):
   * that type is then always requested and decoded as text (prefersBinary is false).
   */
  readonly parsers?: Readonly<Record<string, TextParserFunction>>
  /** Custom codecs by OID or type name; pieces given replace the built-in ones. */
  readonly codecs?: Readonly<Record<string, CustomCodec>>
}

/** The decoder of one result column's values, and the type name its errors carry. */
export interface ColumnDecoder {
  /** Decodes `bytes[start, end)`; throws a DataError (without column context) it cannot. */
  readonly decode: RangeDecoder
  /** The codec's type name, for the column context added to its errors. */
  readonly typeName: string
}

/** The resolved state a registry is built from (shared between registries, never mutated). */
interface RegistryState {
  readonly types: ReadonlyMap<number, TypeInfo>
  readonly names: ReadonlyMap<string, number>
  readonly mapping: MappingOptions
  readonly parsers: ReadonlyMap<number | string, TextParserFunction>
  readonly codecs: ReadonlyMap<number | string, CustomCodec>
}

/** OIDs stay below 2^32. */
function isOidKey(key: string): boolean {
  return /^\d{1,10}$/.test(key)
}

/** Normalized keys of a parsers/codecs record: OIDs as numbers, names normalized. */
function keyed<T>(
  base: ReadonlyMap<number | string, T>,
  record: Readonly<Record<string, T>> | undefined,
): ReadonlyMap<number | string, T> {
  if (record === undefined) return base
  const out = new Map(base)
  for (const [key, value] of Object.entries(record)) {
    out.set(isOidKey(key) ? Number(key) : normalizeTypeName(key), value)
  }
  return out
}

function namesOf(types: ReadonlyMap<number, TypeInfo>): Map<string, number> {
  const names = new Map<string, number>()
  for (const info of types.values()) {
    names.set(`${info.schema}.${info.name}`, info.oid)
    if (!names.has(info.name)) names.set(info.name, info.oid)
  }
  return names
}

/** A thrower for binary values of a type that has no binary decoder. */
function noBinaryDecoder(name: string, known: boolean): BytesDecoder {
  return () => {
    throw decodeError(
      name,
      known
        ? 'no binary decoder for this type (request text format: prefersBinary() is false)'
        : 'binary format of an unknown type (request text format, or register the type)',
    )
  }
}

/** Wraps a user function so what it throws becomes a DataError naming the type. */
function guarded<A>(fn: (arg: A) => unknown, name: string): (arg: A) => unknown {
  return (arg) => {
    try {
      return fn(arg)
    } catch (err) {
      const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      throw decodeError(name, `custom parser threw ${what}`, err)
    }
  }
}

/**
 * The type codec registry. Look-ups by OID are cached Map hits; codecs are built on first use.
 * Never mutated after creation: `extend` and `withCatalogTypes` return new registries.
 */
export class TypeRegistry {
  readonly #state: RegistryState
  readonly #cache = new Map<number, Codec>()
  readonly #resolving = new Set<number>()
  readonly #columnDecoders = new Map<number, ColumnDecoder>()
  readonly #lookup: CodecLookup = (oid) => this.#codec(oid)

  private constructor(state: RegistryState) {
    this.#state = state
  }

  /** The registry of PostgreSQL's built-in types with the default mapping (what `defaultTypes` is). */
  static createDefault(): TypeRegistry {
    return new TypeRegistry({
      types: BUILTIN_TYPES,
      names: namesOf(BUILTIN_TYPES),
      mapping: DEFAULT_MAPPING,
      parsers: new Map(),
      codecs: new Map(),
    })
  }

  /** The mapping options in effect (int8, numeric, dates, timestamps). */
  get options(): MappingOptions {
    return this.#state.mapping
  }

  /**
   * A new registry with `options` applied over this one's (this one is unchanged); this same
   * registry, with its built codecs, when `options` sets nothing.
   */
  extend(options: TypeOptions = {}): TypeRegistry {
    const s = this.#state
    let changes = false
    for (const value of Object.values(options)) if (value !== undefined) changes = true
    if (!changes) return this
    return new TypeRegistry({
      types: s.types,
      names: s.names,
      mapping: Object.freeze({
        int8: options.int8 ?? s.mapping.int8,
        numeric: options.numeric ?? s.mapping.numeric,
        dates: options.dates ?? s.mapping.dates,
        timestamps: options.timestamps ?? s.mapping.timestamps,
      }),
      parsers: keyed(s.parsers, options.parsers),
      codecs: keyed(s.codecs, options.codecs),
    })
  }

  /**
   * A new registry that also knows the types in `rows` (the result of CATALOG_QUERY): enums,
   * domains, composites, ranges, multiranges and base types, with their array types.
   */
  withCatalogTypes(rows: readonly CatalogTypeRow[]): TypeRegistry {
    const s = this.#state
    const types = new Map(s.types)
    const names = new Map(s.names)
    const { infos, preferredNames } = catalogTypeInfos(rows)
    for (const info of infos) {
      types.set(info.oid, info)
      names.set(`${info.schema}.${info.name}`, info.oid)
      if (!names.has(info.name) || preferredNames.has(info.oid)) names.set(info.name, info.oid)
    }
    return new TypeRegistry({ ...s, types, names })
  }

  /** The OID of a type name (`int4`, `integer`, `int4[]`, `myschema.mood`), or undefined. */
  typeOid(name: string): number | undefined {
    if (isOidKey(name)) return Number(name)
    return this.#state.names.get(normalizeTypeName(name))
  }

  /** Whether the registry knows `typeOid`. */
  hasType(typeOid: number): boolean {
    return this.#state.types.has(typeOid)
  }

  /** What the registry knows about `typeOid`, or undefined. */
  typeInfo(typeOid: number): TypeInfo | undefined {
    return this.#state.types.get(typeOid)
  }

  /**
   * The type's name for messages: `int4`, `int4[]`, `myschema.mood`; `unknown type (OID n)` for
   * an OID the registry does not know.
   */
  typeName(typeOid: number): string {
    return this.#nameOf(typeOid, 0)
  }

  #nameOf(oid: number, depth: number): string {
    const info = this.#state.types.get(oid)
    if (info === undefined) return `unknown type (OID ${oid})`
    if (info.kind === 'array' && info.name.startsWith('_') && depth < 4 && info.element !== 0)
      return `${this.#nameOf(info.element, depth + 1)}[]`
    if (info.schema === 'pg_catalog' || info.schema === 'public') return info.name
    return `${info.schema}.${info.name}`
  }

  /**
   * The full codec of `typeOid` (decode and encode, text and binary), options and overrides
   * applied; unknown OIDs get a text-only codec. For fake servers and tests that need both
   * directions; the engine uses `decoder` and `encodeParameter`.
   */
  codec(typeOid: number): Codec {
    return this.#codec(typeOid)
  }

  /**
   * The decoder of one column: `(bytes) => value`, bytes a view valid only during the call.
   * Unknown OIDs decode as text strings in format 0; in format 1, and for types with no binary
   * decoder, the decoder throws a DataError naming the type. `context` (e.g. `column "id"`) is
   * added to every DataError it throws.
   */
  decoder(typeOid: number, format: 0 | 1, context?: string): (bytes: Uint8Array) => unknown {
    const codec = this.#codec(typeOid)
    const fn =
      format === 1
        ? (codec.decodeBinary ?? noBinaryDecoder(codec.name, this.#state.types.has(typeOid)))
        : codec.decodeText
    if (context === undefined) return fn
    const name = codec.name
    return (bytes) => {
      try {
        return fn(bytes)
      } catch (err) {
        throw withDecodeContext(err, name, context)
      }
    }
  }

  /**
   * The decoder of a result column of `typeOid` in `format`, as `decoder(typeOid, format)` decodes
   * but reading a range of the row's buffer. Without column context: the caller adds it (with
   * `withDecodeContext`) when `decode` throws. Built once per type and format.
   */
  columnDecoder(typeOid: number, format: 0 | 1): ColumnDecoder {
    const key = typeOid * 2 + format
    const hit = this.#columnDecoders.get(key)
    if (hit !== undefined) return hit
    const codec = this.#codec(typeOid)
    let decode: RangeDecoder
    if (format === 1) {
      const fn = codec.decodeBinary ?? noBinaryDecoder(codec.name, this.#state.types.has(typeOid))
      decode =
        codec.decodeBinary !== undefined && codec.decodeBinaryAt !== undefined
          ? codec.decodeBinaryAt
          : (bytes, start, end) => fn(bytes.subarray(start, end))
    } else {
      const fn = codec.decodeText
      decode = codec.decodeTextAt ?? ((bytes, start, end) => fn(bytes.subarray(start, end)))
    }
    const column: ColumnDecoder = { decode, typeName: codec.name }
    this.#columnDecoders.set(key, column)
    return column
  }

  /**
   * Whether results of `typeOid` should be requested in binary: true when its binary decoder is
   * faster than its text one under this registry's options. Measured with
   * test/types/decode-bench.ts (Node 20, x64, 2 cores), median ns per value, text vs binary:
   *
   *   binary  int2 7/4, int4 10/4, int8 105/32 (as number 12/7), float8 137/17, float4 662/567,
   *           bool 4/5 (a tie, kept binary), timestamptz 196/47, timestamp 215/56,
   *           interval 678/35, point 345/20, int4range 139/33, tstzrange 495/79,
   *           int4[10] 675/223, float8[10] 1347/348, timestamptz[10] 2503/687,
   *           bytea 55/55 at 64 B but 4061/1443 at 1 KiB, date as Date 121/45
   *   text    numeric 52/170, text 109/110, json 566/600, jsonb 608/615, uuid 44/69,
   *           date as string 49/88, time 43/80, inet 54/134, text[10] 1198/1433,
   *           uuid[10] 730/956, timestamptz as string 54/216
   *
   * Arrays, ranges and composites follow their elements. Types with a custom text parser, and
   * types with no binary decoder, are always text.
   */
  prefersBinary(typeOid: number): boolean {
    const codec = this.#codec(typeOid)
    return codec.binaryFaster && codec.decodeBinary !== undefined
  }

  /**
   * The Bind parameter for `value` as parameter `index` (0-based) of type `typeOid`
   * (0: unknown, the server infers it; see parameter.ts for that policy). null and undefined are
   * NULL. A value that cannot be encoded is an InterfaceError naming `$index+1` (and the type).
   */
  encodeParameter(value: unknown, typeOid: number, index: number): EncodedParameter {
    if (value === null || value === undefined) return NULL_PARAMETER
    let out: EncodedParameter
    try {
      out = typeOid === 0 ? encodeInferred(value) : this.#codec(typeOid).encode(value)
    } catch (err) {
      if (err instanceof EncodeFailure) {
        throw parameterError(index, typeOid === 0 ? undefined : this.typeName(typeOid), err.message)
      }
      throw err
    }
    if (hasNul(out)) {
      throw parameterError(
        index,
        typeOid === 0 ? undefined : this.typeName(typeOid),
        'text holds a NUL character (\\0), which PostgreSQL text cannot hold (use bytea)',
      )
    }
    return out
  }

  /** The codec of `oid`, built on first use. */
  #codec(oid: number): Codec {
    const hit = this.#cache.get(oid)
    if (hit !== undefined) return hit
    if (this.#resolving.has(oid)) return textOnlyCodec(this.#nameOf(oid, 0))
    this.#resolving.add(oid)
    try {
      const codec = this.#withOverrides(oid, this.#build(oid))
      this.#cache.set(oid, codec)
      return codec
    } finally {
      this.#resolving.delete(oid)
    }
  }

  /** The built-in or structural codec of `oid`, before user overrides. */
  #build(oid: number): Codec {
    const info = this.#state.types.get(oid)
    const name = this.#nameOf(oid, 0)
    if (info === undefined) return unknownCodec(name)
    if (info.schema === 'pg_catalog') {
      const builtin = builtinCodec(info.name, this.#state.mapping)
      if (builtin !== undefined) return builtin
      if (info.name === 'record') return recordCodec(this.#lookup)
      // Statistics columns (pg_stats) are anyarray: text elements stay strings, binary ones are
      // decoded by the element OID each value carries.
      if (info.name === 'anyarray' || info.name === 'anycompatiblearray') {
        return arrayCodec({
          name,
          element: textOnlyCodec('anyelement'),
          elementOid: 0,
          delimiter: ',',
          lookup: this.#lookup,
        })
      }
    }
    switch (info.kind) {
      case 'array': {
        const elementInfo = this.#state.types.get(info.element)
        return arrayCodec({
          name,
          element: this.#codec(info.element),
          elementOid: info.element,
          delimiter: elementInfo?.delimiter ?? info.delimiter,
          lookup: this.#lookup,
        })
      }
      case 'range':
        return rangeCodec(name, this.#codec(info.element))
      case 'multirange': {
        const range = this.#state.types.get(info.element)
        return multirangeCodec(name, this.#codec(range?.element ?? 0))
      }
      case 'domain':
        return renamed(this.#codec(info.element), name)
      case 'composite':
        if (info.attributes === undefined) return renamed(recordCodec(this.#lookup), name)
        return compositeCodec({
          name,
          attributes: info.attributes,
          codecs: info.attributes.map((a) => this.#codec(a.oid)),
          lookup: this.#lookup,
        })
      case 'enum':
        return enumCodec(name)
      default:
        return textOnlyCodec(name)
    }
  }

  /** Applies the custom parser or codec registered for `oid` (by OID or by name). */
  #withOverrides(oid: number, codec: Codec): Codec {
    const s = this.#state
    if (s.parsers.size === 0 && s.codecs.size === 0) return codec
    const info = s.types.get(oid)
    const keys: (number | string)[] = [oid]
    if (info !== undefined) keys.push(`${info.schema}.${info.name}`, info.name)
    const find = <T>(map: ReadonlyMap<number | string, T>): T | undefined => {
      for (const k of keys) {
        const v = map.get(k)
        if (v !== undefined) return v
      }
      return undefined
    }
    const parser = find(s.parsers)
    const custom = find(s.codecs)
    if (parser === undefined && custom === undefined) return codec
    const parseText = parser ?? custom?.parseText
    const decodeBinary = parser !== undefined ? undefined : custom?.decodeBinary
    const encode = custom?.encode
    const parse = parseText === undefined ? codec.parseText : guarded(parseText, codec.name)
    const binary =
      parser !== undefined
        ? undefined
        : decodeBinary === undefined
          ? codec.decodeBinary
          : guarded(decodeBinary, codec.name)
    const base = defineCodec({
      name: codec.name,
      parseText: parse,
      decodeText: parseText === undefined ? codec.decodeText : (b) => parse(utf8Decode(b)),
      ...(parseText === undefined
        ? codec.decodeTextAt === undefined
          ? {}
          : { decodeTextAt: codec.decodeTextAt }
        : { decodeTextAt: (b, start, end) => parse(utf8DecodeRange(b, start, end)) }),
      ...(binary === undefined ? {} : { decodeBinary: binary }),
      ...(binary !== undefined && binary === codec.decodeBinary && codec.decodeBinaryAt
        ? { decodeBinaryAt: codec.decodeBinaryAt }
        : {}),
      encodeText: codec.encodeText,
      ...(codec.encodeBinary === undefined ? {} : { encodeBinary: codec.encodeBinary }),
      sendBinary: codec.sendBinary,
      binaryFaster: parser === undefined && (custom?.preferBinary ?? codec.binaryFaster),
    })
    if (encode === undefined)
      return {
        ...base,
        encode: codec.encode,
        elementText: codec.elementText,
        elementBinary: codec.elementBinary,
      }
    const userEncode = (value: unknown): EncodedParameter => {
      const out = encode(value)
      if (out === null || out === undefined) return NULL_PARAMETER
      if (typeof out === 'string') return { format: 0, value: out }
      if (out instanceof Uint8Array) return { format: 1, value: out }
      throw new EncodeFailure('custom encode() must return a string, a Uint8Array or null')
    }
    return {
      ...base,
      encode: userEncode,
      elementText: (value) => {
        if (value === null || value === undefined) return null
        const out = encode(value)
        if (out === null || out === undefined) return null
        if (typeof out === 'string') return out
        throw new EncodeFailure('custom encode() returned bytes where text is needed')
      },
      elementBinary: (value) => {
        if (value === null || value === undefined) return null
        const out = encode(value)
        if (out === null || out === undefined) return null
        if (out instanceof Uint8Array) return out
        throw new EncodeFailure('custom encode() returned text where bytes are needed')
      },
      sendBinary: false,
    }
  }
}

/** A codec with another name (domains take their base type's codec). */
function renamed(codec: Codec, name: string): Codec {
  return codec.name === name ? codec : { ...codec, name }
}

/** An enum: its label as a string, both formats (binary is the label's UTF-8). */
function enumCodec(name: string): Codec {
  return defineCodec({
    name,
    decodeText: utf8Decode,
    parseText: (s) => s,
    decodeBinary: utf8Decode,
    encodeText: inferredText,
    encodeBinary: (v) => utf8Encode(inferredText(v)),
  })
}

/** A type the registry does not know: text as a string; parameters as the server infers them. */
function unknownCodec(name: string): Codec {
  const codec = textOnlyCodec(name)
  return { ...codec, encode: encodeInferred }
}

/** The built-in types with the default mapping; frozen. Extend it, never change it. */
export const defaultTypes: TypeRegistry = TypeRegistry.createDefault()
Object.freeze(defaultTypes)
