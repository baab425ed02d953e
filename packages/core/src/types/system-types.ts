/**
 * Codecs of PostgreSQL's system types: reg* (names in text, OIDs in binary), tid, pg_lsn,
 * xid8, int2vector and oidvector. Pure: no I/O.
 */
import {
  BinaryWriter,
  readBigUint64,
  readInt16,
  readInt32,
  readUint16,
  readUint32,
} from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { decimalTextToNumber, toIntegerParameter } from './integer.js'
import { inferredText } from './literal.js'
import { utf8Decode } from './utf8.js'

/**
 * A reg* type (regclass, regtype, regproc, ...): the object's name as a string in text format,
 * its OID as a number in binary format (the binary form holds only the OID). Parameters as text:
 * a name string, or a number OID.
 */
export function regCodec(name: string): Codec {
  return defineCodec({
    name,
    decodeText: utf8Decode,
    parseText: (s) => s,
    decodeBinary: (b) => {
      if (b.length !== 4) cannotDecode(name, `expected 4 bytes, got ${b.length}`)
      return readUint32(b, 0)
    },
    encodeText: inferredText,
  })
}

/** tid: `(block,offset)` string; binary is uint32 block then uint16 offset. */
export const tidCodec: Codec = defineCodec({
  name: 'tid',
  decodeText: utf8Decode,
  parseText: (s) => s,
  decodeBinary: (b) => {
    if (b.length !== 6) cannotDecode('tid', `expected 6 bytes, got ${b.length}`)
    return `(${readUint32(b, 0)},${readUint16(b, 4)})`
  },
  encodeText: inferredText,
  encodeBinary: (v) => {
    const m = typeof v === 'string' ? /^\((\d+),(\d+)\)$/.exec(v.trim()) : null
    if (!m) return cannotEncode(`expected a (block,offset) string, got ${describeValue(v)}`)
    return new BinaryWriter(6).int32(Number(m[1])).int16(Number(m[2])).finish()
  },
})

/** pg_lsn: `16/B374D848` string; binary is a uint64. */
export const pgLsnCodec: Codec = defineCodec({
  name: 'pg_lsn',
  decodeText: utf8Decode,
  parseText: (s) => s,
  decodeBinary: (b) => {
    if (b.length !== 8) cannotDecode('pg_lsn', `expected 8 bytes, got ${b.length}`)
    return `${readUint32(b, 0).toString(16).toUpperCase()}/${readUint32(b, 4).toString(16).toUpperCase()}`
  },
  encodeText: inferredText,
  encodeBinary: (v) => {
    const m =
      typeof v === 'string' ? /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(v.trim()) : null
    if (!m) return cannotEncode(`expected an XXX/XXX string, got ${describeValue(v)}`)
    return new BinaryWriter(8)
      .int32(Number.parseInt(m[1]!, 16))
      .int32(Number.parseInt(m[2]!, 16))
      .finish()
  },
})

/** xid8: bigint (an unsigned 64-bit transaction ID); parameters as text. */
export const xid8Codec: Codec = defineCodec({
  name: 'xid8',
  parseText: (s) => {
    decimalTextToNumber(s, 'xid8')
    return BigInt(s)
  },
  decodeBinary: (b) => {
    if (b.length !== 8) cannotDecode('xid8', `expected 8 bytes, got ${b.length}`)
    return readBigUint64(b, 0)
  },
  encodeText: (v) => {
    const n = toIntegerParameter(v)
    if (n < 0n || n >= 2n ** 64n) cannotEncode('out of range for xid8')
    return String(n)
  },
  encodeBinary: (v) => {
    const n = toIntegerParameter(v)
    if (n < 0n || n >= 2n ** 64n) cannotEncode('out of range for xid8')
    return new BinaryWriter(8).int64(n).finish()
  },
})

/**
 * int2vector or oidvector: number[]; text is space-separated (`1 2 3`), binary is a
 * one-dimensional array of int2/oid.
 */
export function vectorCodec(name: 'int2vector' | 'oidvector'): Codec {
  const elementName = name === 'int2vector' ? 'int2' : 'oid'
  const elementOid = name === 'int2vector' ? 21 : 26
  const width = name === 'int2vector' ? 2 : 4
  const parseText = (s: string): number[] => {
    const out: number[] = []
    for (const part of s.split(' ')) if (part !== '') out.push(decimalTextToNumber(part, name))
    return out
  }
  return defineCodec({
    name,
    parseText,
    decodeBinary: (b) => {
      if (b.length < 12) cannotDecode(name, `expected at least 12 bytes, got ${b.length}`)
      const ndim = readInt32(b, 0)
      if (ndim === 0) return []
      if (ndim !== 1 || b.length < 20) cannotDecode(name, 'expected a one-dimensional array')
      const count = readInt32(b, 12)
      const out: number[] = []
      let at = 20
      for (let i = 0; i < count; i++) {
        if (at + 4 > b.length || readInt32(b, at) !== width)
          cannotDecode(name, `bad ${elementName} element`)
        out.push(width === 2 ? readInt16(b, at + 4) : readUint32(b, at + 4))
        at += 4 + width
      }
      if (at !== b.length) cannotDecode(name, 'trailing bytes')
      return out
    },
    encodeText: (v) => {
      if (!Array.isArray(v))
        return cannotEncode(`expected an array of numbers, got ${describeValue(v)}`)
      return v.map((x) => String(toIntegerParameter(x))).join(' ')
    },
    encodeBinary: (v) => {
      if (!Array.isArray(v))
        return cannotEncode(`expected an array of numbers, got ${describeValue(v)}`)
      const w = new BinaryWriter(20 + v.length * (4 + width))
      w.int32(1).int32(0).int32(elementOid).int32(v.length).int32(0)
      for (const x of v) {
        const n = Number(toIntegerParameter(x))
        w.int32(width)
        if (width === 2) w.int16(n)
        else w.int32(n)
      }
      return w.finish()
    },
    arrayValued: true,
  })
}
