/**
 * time and timetz codecs: strings as PostgreSQL prints them; binary is microseconds since
 * midnight (and the zone in seconds west of UTC). Pure: no I/O.
 */
import { BinaryWriter, readInt32, readUint32, TWO_POW_32 } from './binary-io.js'
import { formatOffset, formatTimeOfDay } from './calendar.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { type ScanState, scanOffset, scanTime } from './datetime-text.js'
import { describeValue } from './describe-value.js'
import { utf8Decode } from './utf8.js'

/** Microseconds in a day: the largest time (`24:00:00`). */
const MICROS_PER_DAY = 86400000000

const state: ScanState = { at: 0, value: 0 }

function readMicros(b: Uint8Array, typeName: string): number {
  const micros = readInt32(b, 0) * TWO_POW_32 + readUint32(b, 4)
  if (micros < 0 || micros > MICROS_PER_DAY) cannotDecode(typeName, 'time of day out of range')
  return micros
}

/** `[microseconds, seconds east]` of time text with an optional offset; EncodeFailure otherwise. */
function parseTimeParameter(value: unknown, withZone: boolean): [number, number] {
  const typeName = withZone ? 'timetz' : 'time'
  if (typeof value !== 'string') {
    return cannotEncode(`expected an HH:MM:SS string, got ${describeValue(value)}`)
  }
  const s = value.trim()
  if (!scanTime(s, 0, state)) return cannotEncode(`not a ${typeName} (HH:MM:SS[.ffffff])`)
  const micros = state.value
  let east = 0
  if (withZone) {
    if (!scanOffset(s, state.at, state)) return cannotEncode('timetz needs a UTC offset (+HH:MM)')
    east = state.value
  }
  if (state.at !== s.length || micros > MICROS_PER_DAY) return cannotEncode(`not a ${typeName}`)
  return [micros, east]
}

/** time: string; parameters as text. */
export const timeCodec: Codec = defineCodec({
  name: 'time',
  decodeText: utf8Decode,
  parseText: (s) => s,
  decodeBinary: (b) => {
    if (b.length !== 8) cannotDecode('time', `expected 8 bytes, got ${b.length}`)
    return formatTimeOfDay(readMicros(b, 'time'))
  },
  encodeText: (v) => {
    parseTimeParameter(v, false)
    return v as string
  },
  encodeBinary: (v) => new BinaryWriter(8).int64Number(parseTimeParameter(v, false)[0]).finish(),
})

/** timetz: string; parameters as text. */
export const timetzCodec: Codec = defineCodec({
  name: 'timetz',
  decodeText: utf8Decode,
  parseText: (s) => s,
  decodeBinary: (b) => {
    if (b.length !== 12) cannotDecode('timetz', `expected 12 bytes, got ${b.length}`)
    return formatTimeOfDay(readMicros(b, 'timetz')) + formatOffset(-readInt32(b, 8))
  },
  encodeText: (v) => {
    parseTimeParameter(v, true)
    return v as string
  },
  encodeBinary: (v) => {
    const [micros, east] = parseTimeParameter(v, true)
    return new BinaryWriter(12).int64Number(micros).int32(-east).finish()
  },
})
