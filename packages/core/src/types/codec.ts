/**
 * The shape every type codec has (decode and encode, text and binary) and the helper that
 * fills in the defaults. Pure: no I/O, no node: imports.
 */
import { cannotEncode, EncodeFailure } from './codec-errors.js'
import { utf8Decode, utf8DecodeRange } from './utf8.js'

/** Decodes one value from bytes; `bytes` is a view valid only during the call (copy to keep). */
export type BytesDecoder = (bytes: Uint8Array) => unknown

/**
 * Decodes one value from `bytes[start, end)`, with no view made for it: the hot path of result
 * columns. `bytes` is valid only during the call.
 */
export type RangeDecoder = (bytes: Uint8Array, start: number, end: number) => unknown

/** Decodes one value from its text form, already a string (array elements, range bounds, ...). */
export type TextParser = (text: string) => unknown

/** One Bind parameter: the format code and the value in that format (`null` is SQL NULL). */
export interface EncodedParameter {
  /** 0: text, 1: binary (the Bind message's format code for this parameter). */
  readonly format: 0 | 1
  /** Text to send as UTF-8, bytes to send as they are (owned by the caller), or null (NULL). */
  readonly value: string | Uint8Array | null
}

/** The codec of one type: both directions, both formats. Encoders throw EncodeFailure. */
export interface Codec {
  /** The type's name for messages, e.g. `int4` or `int4[]`. */
  readonly name: string
  /** Text format from bytes (the column value). */
  readonly decodeText: BytesDecoder
  /** Text format from a string (an element of an array, a range bound, a composite field). */
  readonly parseText: TextParser
  /** Binary format, or undefined when this type is only decoded from text. */
  readonly decodeBinary: BytesDecoder | undefined
  /** `decodeText` of a range, when the codec has one (else the range is viewed and decoded). */
  readonly decodeTextAt?: RangeDecoder | undefined
  /** `decodeBinary` of a range, when the codec has one. */
  readonly decodeBinaryAt?: RangeDecoder | undefined
  /** The text form PostgreSQL reads for a JS value. */
  readonly encodeText: (value: unknown) => string
  /** The binary form PostgreSQL reads for a JS value, or undefined when only text is written. */
  readonly encodeBinary: ((value: unknown) => Uint8Array) | undefined
  /** A Bind parameter for a JS value (never null/undefined: the registry handles those). */
  readonly encode: (value: unknown) => EncodedParameter
  /**
   * The text of a value inside a larger literal (array element, range bound, composite field),
   * or null for SQL NULL: null/undefined, `toPostgres()` results, strings as `encode` takes them.
   */
  readonly elementText: (value: unknown) => string | null
  /**
   * The binary form of a value inside a larger binary value, or null for SQL NULL. Throws
   * EncodeFailure for a value with no binary form here (e.g. timestamp text only the server
   * parses); callers then fall back to text.
   */
  readonly elementBinary: (value: unknown) => Uint8Array | null
  /** Parameters of this type go in binary when the value allows it. */
  readonly sendBinary: boolean
  /**
   * Values of this type are JS arrays (box, lseg, polygon, multiranges, int2vector): in an array
   * of this type, the innermost JS arrays are values, not a dimension.
   */
  readonly arrayValued: boolean
  /** The binary decoder is measurably faster than the text one (numbers in registry.ts). */
  readonly binaryFaster: boolean
}

/** What a codec module provides; `defineCodec` fills in the rest. */
export interface CodecSpec {
  readonly name: string
  readonly parseText: TextParser
  /** A faster text decoder straight from bytes; default `parseText(utf8Decode(bytes))`. */
  readonly decodeText?: BytesDecoder
  readonly decodeBinary?: BytesDecoder
  /**
   * The text decoder of a range; gives `decodeText` when that is absent. Default (when neither
   * is given): `parseText` of the range's text.
   */
  readonly decodeTextAt?: RangeDecoder
  /** The binary decoder of a range; gives `decodeBinary` when that is absent. */
  readonly decodeBinaryAt?: RangeDecoder
  readonly encodeText: (value: unknown) => string
  readonly encodeBinary?: (value: unknown) => Uint8Array
  /** Parameters that are not strings go in binary (cheaper and exact). Default false. */
  readonly sendBinary?: boolean
  /** See `Codec.binaryFaster`. Default false. */
  readonly binaryFaster?: boolean
  /**
   * How a string parameter is sent: `text` as it is (the server parses it; the default),
   * `encode` through encodeText, or `binary` through encodeBinary (both check it here, e.g.
   * integers and uuids).
   */
  readonly strings?: 'text' | 'encode' | 'binary'
  /** Values this codec encodes itself even though they have a `toPostgres()` method. */
  readonly owns?: (value: object) => boolean
  /** A Uint8Array is a value of this type (bytea), not this type's raw binary wire format. */
  readonly bytesAreValues?: boolean
  /** When encodeBinary refuses a value (EncodeFailure), send it through encodeText instead. */
  readonly binaryFallback?: boolean
  /** See `Codec.arrayValued`. Default false. */
  readonly arrayValued?: boolean
}

/** Text-format parameter. */
export function textParameter(value: string): EncodedParameter {
  return { format: 0, value }
}

/** Binary-format parameter. */
export function binaryParameter(value: Uint8Array): EncodedParameter {
  return { format: 1, value }
}

/** The SQL NULL parameter (shared, frozen). */
export const NULL_PARAMETER: EncodedParameter = Object.freeze({ format: 0, value: null })

/** An object with a `toPostgres()` method (the user's own serialization). */
export interface ToPostgres {
  toPostgres(): unknown
}

/** `value` has a callable `toPostgres` property. */
export function hasToPostgres(value: unknown): value is ToPostgres {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toPostgres?: unknown }).toPostgres === 'function'
  )
}

/** How many nested `toPostgres()` results are followed before giving up (a cycle guard). */
export const MAX_TO_POSTGRES_DEPTH = 16

/** Calls `toPostgres()` until the result is not an object that has one; throws on a cycle. */
export function unwrapToPostgres(value: ToPostgres): unknown {
  let current: unknown = value
  for (let depth = 0; depth < MAX_TO_POSTGRES_DEPTH; depth++) {
    const next = (current as ToPostgres).toPostgres()
    if (next === current) cannotEncode('toPostgres() returned its own object')
    if (!hasToPostgres(next)) return next
    current = next
  }
  return cannotEncode(`toPostgres() results nest deeper than ${MAX_TO_POSTGRES_DEPTH}`)
}

/** Builds a Codec from a spec, with the default text decoder and parameter encoding. */
export function defineCodec(spec: CodecSpec): Codec {
  const parseText = spec.parseText
  const decodeTextAt =
    spec.decodeTextAt ??
    (spec.decodeText === undefined
      ? (bytes: Uint8Array, start: number, end: number) =>
          parseText(utf8DecodeRange(bytes, start, end))
      : undefined)
  const decodeText =
    spec.decodeText ??
    (spec.decodeTextAt === undefined
      ? (bytes: Uint8Array) => parseText(utf8Decode(bytes))
      : wholeView(spec.decodeTextAt))
  const decodeBinaryAt = spec.decodeBinaryAt
  const decodeBinary =
    spec.decodeBinary ?? (decodeBinaryAt === undefined ? undefined : wholeView(decodeBinaryAt))
  const rawEncodeText = spec.encodeText
  const encodeBinary = spec.encodeBinary
  const sendBinary = spec.sendBinary === true && encodeBinary !== undefined
  const strings =
    encodeBinary === undefined && spec.strings === 'binary' ? 'encode' : (spec.strings ?? 'text')
  const owns = spec.owns
  const bytesAreValues = spec.bytesAreValues === true
  const binaryFallback = spec.binaryFallback === true

  /** Follows toPostgres() unless this codec encodes the object itself. */
  const unwrap = (value: unknown): unknown =>
    hasToPostgres(value) && (owns === undefined || !owns(value)) ? unwrapToPostgres(value) : value

  const encodeText = (value: unknown): string => {
    if (typeof value === 'string' && strings === 'text') return value
    return rawEncodeText(value)
  }

  const elementText = (value: unknown): string | null => {
    const v = unwrap(value)
    if (v === null || v === undefined) return null
    return encodeText(v)
  }

  const elementBinary = (value: unknown): Uint8Array | null => {
    const v = unwrap(value)
    if (v === null || v === undefined) return null
    if (encodeBinary === undefined) return cannotEncode('no binary form for this type')
    return encodeBinary(v)
  }

  const encode = (value: unknown): EncodedParameter => {
    if (typeof value === 'string') {
      if (strings === 'binary') return { format: 1, value: encodeBinary!(value) }
      return { format: 0, value: strings === 'encode' ? rawEncodeText(value) : value }
    }
    if (typeof value === 'object' && value !== null) {
      if (value instanceof Uint8Array && !bytesAreValues) return { format: 1, value }
      if (hasToPostgres(value) && (owns === undefined || !owns(value))) {
        const inner = unwrapToPostgres(value)
        if (inner === null || inner === undefined) return NULL_PARAMETER
        return encode(inner)
      }
    }
    if (sendBinary) {
      if (!binaryFallback) return { format: 1, value: encodeBinary!(value) }
      try {
        return { format: 1, value: encodeBinary!(value) }
      } catch (err) {
        if (!(err instanceof EncodeFailure)) throw err
      }
    }
    return { format: 0, value: rawEncodeText(value) }
  }

  return {
    name: spec.name,
    decodeText,
    parseText,
    decodeBinary,
    decodeTextAt,
    decodeBinaryAt,
    encodeText,
    encodeBinary,
    encode,
    elementText,
    elementBinary,
    sendBinary,
    arrayValued: spec.arrayValued === true,
    binaryFaster: spec.binaryFaster === true && decodeBinary !== undefined,
  }
}

/** A BytesDecoder that decodes its whole view with `at`. */
function wholeView(at: RangeDecoder): BytesDecoder {
  return (bytes) => at(bytes, 0, bytes.length)
}
