/**
 * Network address codecs: inet and cidr as PostgreSQL prints them, macaddr and macaddr8 as
 * lowercase colon-separated strings; text and binary. Pure: no I/O.
 */
import { BinaryWriter } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { utf8Decode } from './utf8.js'

// Address families of the binary format (src/include/utils/inet.h: PGSQL_AF_INET = AF_INET + 0,
// PGSQL_AF_INET6 = AF_INET + 1, with AF_INET = 2 on every platform PostgreSQL builds on).
const PGSQL_AF_INET = 2
const PGSQL_AF_INET6 = 3

/** IPv6 address text as PostgreSQL's inet output writes it (longest zero run as `::`). */
function formatIpv6(b: Uint8Array, at: number): string {
  const words: number[] = []
  for (let i = 0; i < 8; i++) words.push((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!)
  let bestBase = -1
  let bestLen = 0
  let curBase = -1
  let curLen = 0
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) {
        curBase = i
        curLen = 1
      } else {
        curLen++
      }
    } else if (curBase >= 0) {
      if (bestBase < 0 || curLen > bestLen) {
        bestBase = curBase
        bestLen = curLen
      }
      curBase = -1
    }
  }
  if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) {
    bestBase = curBase
    bestLen = curLen
  }
  if (bestBase >= 0 && bestLen < 2) bestBase = -1
  let s = ''
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':'
      continue
    }
    if (i !== 0) s += ':'
    // An IPv4-compatible or IPv4-mapped address ends in dotted quad.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      s += `${b[at + 12]}.${b[at + 13]}.${b[at + 14]}.${b[at + 15]}`
      break
    }
    s += words[i]!.toString(16)
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':'
  return s
}

/** inet/cidr text of the binary form; `typeName` says which (cidr always shows `/bits`). */
function decodeInetBinary(b: Uint8Array, typeName: 'inet' | 'cidr'): string {
  if (b.length < 4) cannotDecode(typeName, `expected at least 4 bytes, got ${b.length}`)
  const family = b[0]!
  const bits = b[1]!
  const nb = b[3]!
  const max = family === PGSQL_AF_INET ? 32 : family === PGSQL_AF_INET6 ? 128 : -1
  if (max < 0) cannotDecode(typeName, `unknown address family ${family}`)
  if (nb !== max / 8 || b.length !== 4 + nb || bits > max) {
    cannotDecode(typeName, 'bad address length')
  }
  const address = family === PGSQL_AF_INET ? `${b[4]}.${b[5]}.${b[6]}.${b[7]}` : formatIpv6(b, 4)
  return typeName === 'cidr' || bits !== max ? `${address}/${bits}` : address
}

/** The 4 bytes of a dotted IPv4 address, or undefined. */
function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  const out: number[] = []
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined
    out.push(Number(p))
  }
  return out
}

/** The 16 bytes of an IPv6 address (with `::` and an optional dotted tail), or undefined. */
function parseIpv6(s: string): number[] | undefined {
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const groups = (part: string): number[] | undefined => {
    if (part === '') return []
    const out: number[] = []
    const items = part.split(':')
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item)
        if (!v4) return undefined
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined
        out.push(Number.parseInt(item, 16))
      }
    }
    return out
  }
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail]
  const bytes: number[] = []
  for (const w of words) bytes.push(w >> 8, w & 0xff)
  return bytes
}

/** The binary form of an inet/cidr string (`addr` or `addr/bits`). */
function encodeInetBinary(value: unknown, typeName: 'inet' | 'cidr'): Uint8Array {
  if (typeof value !== 'string') {
    return cannotEncode(`expected an address string, got ${describeValue(value)}`)
  }
  const text = value.trim()
  const slash = text.indexOf('/')
  const addr = slash < 0 ? text : text.slice(0, slash)
  const v4 = parseIpv4(addr)
  const bytes = v4 ?? parseIpv6(addr)
  if (!bytes) return cannotEncode(`not an ${typeName} address`)
  const max = v4 ? 32 : 128
  let bits = max
  if (slash >= 0) {
    const b = text.slice(slash + 1)
    if (!/^\d{1,3}$/.test(b) || Number(b) > max) return cannotEncode(`bad ${typeName} mask`)
    bits = Number(b)
  }
  const w = new BinaryWriter(4 + bytes.length)
  w.uint8(v4 ? PGSQL_AF_INET : PGSQL_AF_INET6)
    .uint8(bits)
    .uint8(typeName === 'cidr' ? 1 : 0)
    .uint8(bytes.length)
  for (const x of bytes) w.uint8(x)
  return w.finish()
}

/** inet or cidr: string; parameters as text. */
export function inetCodec(typeName: 'inet' | 'cidr'): Codec {
  return defineCodec({
    name: typeName,
    decodeText: utf8Decode,
    parseText: (s) => s,
    decodeBinary: (b) => decodeInetBinary(b, typeName),
    encodeText: (v) => {
      if (typeof v !== 'string') cannotEncode(`expected an address string, got ${describeValue(v)}`)
      return v
    },
    encodeBinary: (v) => encodeInetBinary(v, typeName),
  })
}

/** The bytes of a MAC address string (hex digits; `:`, `-` or `.` separators ignored). */
function parseMac(value: unknown, size: 6 | 8): Uint8Array {
  if (typeof value !== 'string') {
    return cannotEncode(`expected a MAC address string, got ${describeValue(value)}`)
  }
  const hex = value.trim().replace(/[:.-]/g, '')
  if (hex.length !== size * 2 || !/^[0-9a-fA-F]+$/.test(hex)) {
    return cannotEncode(`not a ${size === 6 ? 'macaddr' : 'macaddr8'} address`)
  }
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** macaddr (6 bytes) or macaddr8 (8 bytes): lowercase colon-separated string. */
export function macCodec(typeName: 'macaddr' | 'macaddr8'): Codec {
  const size = typeName === 'macaddr' ? 6 : 8
  return defineCodec({
    name: typeName,
    decodeText: utf8Decode,
    parseText: (s) => s,
    decodeBinary: (b) => {
      if (b.length !== size) cannotDecode(typeName, `expected ${size} bytes, got ${b.length}`)
      let s = ''
      for (let i = 0; i < size; i++) s += (i ? ':' : '') + b[i]!.toString(16).padStart(2, '0')
      return s
    },
    encodeText: (v) => {
      if (typeof v !== 'string')
        cannotEncode(`expected a MAC address string, got ${describeValue(v)}`)
      return v
    },
    encodeBinary: (v) => parseMac(v, size),
  })
}
