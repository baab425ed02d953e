/**
 * Geometric codecs: point, line, lseg, box, path, polygon, circle as plain JS shapes with
 * float8 coordinates (NaN, ±Infinity kept), text and binary. Pure: no I/O.
 */
import { BinaryWriter, readFloat64, readInt32 } from './binary-io.js'
import { type Codec, defineCodec } from './codec.js'
import { cannotDecode, cannotEncode } from './codec-errors.js'
import { describeValue } from './describe-value.js'
import { formatNumber } from './float.js'

/** A point. */
export interface Point {
  /** The x coordinate. */
  x: number
  /** The y coordinate. */
  y: number
}

/** A line `ax + by + c = 0`. */
export interface Line {
  /** The coefficient of x. */
  a: number
  /** The coefficient of y. */
  b: number
  /** The constant term. */
  c: number
}

/** A path: open (`[...]`) or closed (`(...)`). */
export interface Path {
  /** The path returns to its first point (`(...)` rather than `[...]`). */
  closed: boolean
  /** The points in order. */
  points: Point[]
}

/** A circle. */
export interface Circle {
  /** The center's x coordinate. */
  x: number
  /** The center's y coordinate. */
  y: number
  /** The radius (0 or more). */
  radius: number
}

/** The float8 numbers in a geometric text form, in order (punctuation skipped). */
function scanNumbers(s: string, typeName: string): number[] {
  const out: number[] = []
  let start = -1
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2c
    const punct =
      c === 0x28 ||
      c === 0x29 ||
      c === 0x5b ||
      c === 0x5d ||
      c === 0x7b ||
      c === 0x7d ||
      c === 0x3c ||
      c === 0x3e ||
      c === 0x2c ||
      c === 0x20
    if (punct) {
      if (start >= 0) {
        const token = s.slice(start, i)
        const v = Number(token)
        if (Number.isNaN(v) && token !== 'NaN') cannotDecode(typeName, 'not a number')
        out.push(v)
        start = -1
      }
    } else if (start < 0) {
      start = i
    }
  }
  return out
}

function expectCount(nums: number[], count: number, typeName: string): void {
  if (nums.length !== count) cannotDecode(typeName, `expected ${count} numbers, got ${nums.length}`)
}

function pointsOf(nums: number[], from: number): Point[] {
  const points: Point[] = []
  for (let i = from; i + 1 < nums.length; i += 2) points.push({ x: nums[i]!, y: nums[i + 1]! })
  return points
}

function expectLength(b: Uint8Array, n: number, typeName: string): void {
  if (b.length !== n) cannotDecode(typeName, `expected ${n} bytes, got ${b.length}`)
}

function readPoints(b: Uint8Array, at: number, count: number, typeName: string): Point[] {
  expectLength(b, at + count * 16, typeName)
  const points: Point[] = []
  for (let i = 0; i < count; i++) {
    points.push({ x: readFloat64(b, at + 16 * i), y: readFloat64(b, at + 16 * i + 8) })
  }
  return points
}

/** A number coordinate of a geometric parameter. */
function num(value: unknown, typeName: string): number {
  if (typeof value === 'number') return value
  return cannotEncode(`expected number coordinates for ${typeName}, got ${describeValue(value)}`)
}

function asPoint(value: unknown, typeName: string): Point {
  if (typeof value !== 'object' || value === null) {
    return cannotEncode(`expected {x, y} points for ${typeName}, got ${describeValue(value)}`)
  }
  const p = value as Partial<Point>
  return { x: num(p.x, typeName), y: num(p.y, typeName) }
}

function asPoints(value: unknown, typeName: string, count?: number): Point[] {
  if (!Array.isArray(value)) {
    return cannotEncode(`expected an array of {x, y} for ${typeName}, got ${describeValue(value)}`)
  }
  if (count !== undefined && value.length !== count)
    cannotEncode(`${typeName} takes ${count} points`)
  return value.map((p) => asPoint(p, typeName))
}

const pointText = (p: Point): string => `(${formatNumber(p.x)},${formatNumber(p.y)})`

function writePoints(w: BinaryWriter, points: Point[]): BinaryWriter {
  for (const p of points) w.float64(p.x).float64(p.y)
  return w
}

/** point: `{x, y}`. */
export const pointCodec: Codec = defineCodec({
  name: 'point',
  parseText: (s) => {
    const n = scanNumbers(s, 'point')
    expectCount(n, 2, 'point')
    return { x: n[0]!, y: n[1]! }
  },
  decodeBinary: (b) => {
    expectLength(b, 16, 'point')
    return { x: readFloat64(b, 0), y: readFloat64(b, 8) }
  },
  encodeText: (v) => pointText(asPoint(v, 'point')),
  encodeBinary: (v) => writePoints(new BinaryWriter(16), [asPoint(v, 'point')]).finish(),
  sendBinary: true,
  binaryFaster: true,
})

function asLine(value: unknown): Line {
  if (typeof value !== 'object' || value === null) {
    return cannotEncode(`expected {a, b, c} for line, got ${describeValue(value)}`)
  }
  const l = value as Partial<Line>
  return { a: num(l.a, 'line'), b: num(l.b, 'line'), c: num(l.c, 'line') }
}

/** line: `{a, b, c}` for ax + by + c = 0. */
export const lineCodec: Codec = defineCodec({
  name: 'line',
  parseText: (s) => {
    const n = scanNumbers(s, 'line')
    expectCount(n, 3, 'line')
    return { a: n[0]!, b: n[1]!, c: n[2]! }
  },
  decodeBinary: (b) => {
    expectLength(b, 24, 'line')
    return { a: readFloat64(b, 0), b: readFloat64(b, 8), c: readFloat64(b, 16) }
  },
  encodeText: (v) => {
    const l = asLine(v)
    return `{${formatNumber(l.a)},${formatNumber(l.b)},${formatNumber(l.c)}}`
  },
  encodeBinary: (v) => {
    const l = asLine(v)
    return new BinaryWriter(24).float64(l.a).float64(l.b).float64(l.c).finish()
  },
  sendBinary: true,
  binaryFaster: true,
})

/** A two-point type: lseg (`[(x1,y1),(x2,y2)]`) or box (`(x1,y1),(x2,y2)`, upper right first). */
function twoPointCodec(typeName: 'lseg' | 'box'): Codec {
  return defineCodec({
    name: typeName,
    parseText: (s) => {
      const n = scanNumbers(s, typeName)
      expectCount(n, 4, typeName)
      return pointsOf(n, 0)
    },
    decodeBinary: (b) => readPoints(b, 0, 2, typeName),
    encodeText: (v) => {
      const [p, q] = asPoints(v, typeName, 2) as [Point, Point]
      return typeName === 'lseg'
        ? `[${pointText(p)},${pointText(q)}]`
        : `${pointText(p)},${pointText(q)}`
    },
    encodeBinary: (v) => writePoints(new BinaryWriter(32), asPoints(v, typeName, 2)).finish(),
    sendBinary: true,
    arrayValued: true,
    binaryFaster: true,
  })
}

/** lseg: `[{x, y}, {x, y}]`. */
export const lsegCodec: Codec = twoPointCodec('lseg')

/** box: `[{x, y}, {x, y}]`, upper-right corner first as PostgreSQL stores it. */
export const boxCodec: Codec = twoPointCodec('box')

function asPath(value: unknown): Path {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return cannotEncode(`expected {closed, points} for path, got ${describeValue(value)}`)
  }
  const p = value as Partial<Path>
  return { closed: p.closed === true, points: asPoints(p.points, 'path') }
}

/** path: `{closed, points}`. */
export const pathCodec: Codec = defineCodec({
  name: 'path',
  parseText: (s) => {
    const t = s.trimStart()
    return { closed: t.charCodeAt(0) !== 0x5b, points: pointsOf(scanNumbers(s, 'path'), 0) }
  },
  decodeBinary: (b) => {
    if (b.length < 5) cannotDecode('path', `expected at least 5 bytes, got ${b.length}`)
    const count = readInt32(b, 1)
    if (count < 0) cannotDecode('path', 'negative point count')
    return { closed: b[0] !== 0, points: readPoints(b, 5, count, 'path') }
  },
  encodeText: (v) => {
    const p = asPath(v)
    const inner = p.points.map(pointText).join(',')
    return p.closed ? `(${inner})` : `[${inner}]`
  },
  encodeBinary: (v) => {
    const p = asPath(v)
    const w = new BinaryWriter(5 + 16 * p.points.length).uint8(p.closed ? 1 : 0)
    return writePoints(w.int32(p.points.length), p.points).finish()
  },
  sendBinary: true,
  binaryFaster: true,
})

/** polygon: `{x, y}[]`. */
export const polygonCodec: Codec = defineCodec({
  name: 'polygon',
  parseText: (s) => pointsOf(scanNumbers(s, 'polygon'), 0),
  decodeBinary: (b) => {
    if (b.length < 4) cannotDecode('polygon', `expected at least 4 bytes, got ${b.length}`)
    const count = readInt32(b, 0)
    if (count < 0) cannotDecode('polygon', 'negative point count')
    return readPoints(b, 4, count, 'polygon')
  },
  encodeText: (v) => `(${asPoints(v, 'polygon').map(pointText).join(',')})`,
  encodeBinary: (v) => {
    const points = asPoints(v, 'polygon')
    return writePoints(
      new BinaryWriter(4 + 16 * points.length).int32(points.length),
      points,
    ).finish()
  },
  sendBinary: true,
  arrayValued: true,
  binaryFaster: true,
})

function asCircle(value: unknown): Circle {
  if (typeof value !== 'object' || value === null) {
    return cannotEncode(`expected {x, y, radius} for circle, got ${describeValue(value)}`)
  }
  const c = value as Partial<Circle>
  return { x: num(c.x, 'circle'), y: num(c.y, 'circle'), radius: num(c.radius, 'circle') }
}

/** circle: `{x, y, radius}`. */
export const circleCodec: Codec = defineCodec({
  name: 'circle',
  parseText: (s) => {
    const n = scanNumbers(s, 'circle')
    expectCount(n, 3, 'circle')
    return { x: n[0]!, y: n[1]!, radius: n[2]! }
  },
  decodeBinary: (b) => {
    expectLength(b, 24, 'circle')
    return { x: readFloat64(b, 0), y: readFloat64(b, 8), radius: readFloat64(b, 16) }
  },
  encodeText: (v) => {
    const c = asCircle(v)
    return `<(${formatNumber(c.x)},${formatNumber(c.y)}),${formatNumber(c.radius)}>`
  },
  encodeBinary: (v) => {
    const c = asCircle(v)
    return new BinaryWriter(24).float64(c.x).float64(c.y).float64(c.radius).finish()
  },
  sendBinary: true,
  binaryFaster: true,
})
