/**
 * The money codec: strings; text as the server formats it (`$1,234.50`), binary (minor units)
 * as a plain decimal with two fraction digits. Pure: no I/O.
 */
import { BinaryWriter, readBigInt64 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { formatNumber } from './float.js'
import { utf8Decode } from './utf8.js'

function moneyText(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'bigint') return String(value)
  return cannotEncode(`expected a number, bigint or string, got ${describeValue(value)}`)
}

/** Cents as a decimal string with two fraction digits. */
function centsText(cents: bigint): string {
  const negative = cents < 0n
  const abs = (negative ? -cents : cents).toString().padStart(3, '0')
  return `${negative ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`
}

/** money: string; parameters as text. */
export const moneyCodec: Codec = defineCodec({
  name: 'money',
  decodeText: utf8Decode,
  parseText: (s) => s,
  decodeBinary: (b) => {
    if (b.length !== 8) cannotDecode('money', `expected 8 bytes, got ${b.length}`)
    return centsText(readBigInt64(b, 0))
  },
  encodeText: moneyText,
  encodeBinary: (v) => {
    const text = typeof v === 'string' ? v.trim() : moneyText(v)
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text)
    if (!m) return cannotEncode('binary money takes a plain decimal with at most 2 fraction digits')
    const cents = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'))
    return new BinaryWriter(8).int64(m[1] === '-' ? -cents : cents).finish()
  },
})
