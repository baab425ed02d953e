/**
 * Big-endian reads from byte views and a growable writer for the binary wire formats of the
 * type codecs. Pure: no I/O, no node: imports, no Buffer.
 */

/** Scratch space for float conversions: one 8-byte buffer seen as bytes and as floats. */
const scratch = new ArrayBuffer(8)
const scratchBytes = new Uint8Array(scratch)
const scratchF64 = new Float64Array(scratch)
const scratchF32 = new Float32Array(scratch)
/** The host stores numbers little-endian (every platform Node runs on, but checked). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** 2^32, to combine two 32-bit halves. */
export const TWO_POW_32 = 4294967296

/** The signed 16-bit integer at `at`. */
export function readInt16(b: Uint8Array, at: number): number {
  return (((b[at]! << 8) | b[at + 1]!) << 16) >> 16
}

/** The unsigned 16-bit integer at `at`. */
export function readUint16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!
}

/** The signed 32-bit integer at `at`. */
export function readInt32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!
}

/** The unsigned 32-bit integer at `at`. */
export function readUint32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
}

/** The signed 64-bit integer at `at`, as a bigint. */
export function readBigInt64(b: Uint8Array, at: number): bigint {
  const hi = readInt32(b, at)
  const lo = readUint32(b, at + 4)
  if (hi >= -2097152 && hi < 2097152) return BigInt(hi * TWO_POW_32 + lo)
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/** The unsigned 64-bit integer at `at`, as a bigint. */
export function readBigUint64(b: Uint8Array, at: number): bigint {
  const hi = readUint32(b, at)
  const lo = readUint32(b, at + 4)
  if (hi < 2097152) return BigInt(hi * TWO_POW_32 + lo)
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/** The IEEE 754 double at `at`. */
export function readFloat64(b: Uint8Array, at: number): number {
  if (LITTLE_ENDIAN) {
    for (let i = 0; i < 8; i++) scratchBytes[i] = b[at + 7 - i]!
  } else {
    for (let i = 0; i < 8; i++) scratchBytes[i] = b[at + i]!
  }
  return scratchF64[0]!
}

/** The IEEE 754 single at `at`. */
export function readFloat32(b: Uint8Array, at: number): number {
  if (LITTLE_ENDIAN) {
    for (let i = 0; i < 4; i++) scratchBytes[i] = b[at + 3 - i]!
  } else {
    for (let i = 0; i < 4; i++) scratchBytes[i] = b[at + i]!
  }
  return scratchF32[0]!
}

/**
 * An append-only big-endian byte writer that grows as needed. `finish()` hands the written bytes
 * to the caller, who then owns them; the writer must not be used afterwards.
 */
export class BinaryWriter {
  #buf: Uint8Array
  #len = 0

  /** Starts with room for `capacity` bytes. */
  constructor(capacity = 64) {
    this.#buf = new Uint8Array(capacity)
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len
  }

  #ensure(extra: number): void {
    const need = this.#len + extra
    if (need <= this.#buf.length) return
    let size = this.#buf.length * 2
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
  }

  /** Appends one byte (the low 8 bits of `value`). */
  uint8(value: number): this {
    this.#ensure(1)
    this.#buf[this.#len++] = value
    return this
  }

  /** Appends a 16-bit integer (signed or unsigned: the low 16 bits). */
  int16(value: number): this {
    this.#ensure(2)
    const b = this.#buf
    b[this.#len++] = value >>> 8
    b[this.#len++] = value
    return this
  }

  /** Appends a 32-bit integer (signed or unsigned: the low 32 bits). */
  int32(value: number): this {
    this.#ensure(4)
    const b = this.#buf
    b[this.#len++] = value >>> 24
    b[this.#len++] = value >>> 16
    b[this.#len++] = value >>> 8
    b[this.#len++] = value
    return this
  }

  /** Appends a 64-bit integer given as a safe integer number. */
  int64Number(value: number): this {
    const hi = Math.floor(value / TWO_POW_32)
    return this.int32(hi).int32(value - hi * TWO_POW_32)
  }

  /** Appends a 64-bit integer (two's complement of the low 64 bits of `value`). */
  int64(value: bigint): this {
    const v = BigInt.asUintN(64, value)
    return this.int32(Number(v >> 32n)).int32(Number(v & 0xffffffffn))
  }

  /** Appends an IEEE 754 double. */
  float64(value: number): this {
    this.#ensure(8)
    scratchF64[0] = value
    const b = this.#buf
    if (LITTLE_ENDIAN) {
      for (let i = 7; i >= 0; i--) b[this.#len++] = scratchBytes[i]!
    } else {
      for (let i = 0; i < 8; i++) b[this.#len++] = scratchBytes[i]!
    }
    return this
  }

  /** Appends an IEEE 754 single (the value rounded to float4). */
  float32(value: number): this {
    this.#ensure(4)
    scratchF32[0] = value
    const b = this.#buf
    if (LITTLE_ENDIAN) {
      for (let i = 3; i >= 0; i--) b[this.#len++] = scratchBytes[i]!
    } else {
      for (let i = 0; i < 4; i++) b[this.#len++] = scratchBytes[i]!
    }
    return this
  }

  /** Appends raw bytes (copied). */
  bytes(value: Uint8Array): this {
    this.#ensure(value.length)
    this.#buf.set(value, this.#len)
    this.#len += value.length
    return this
  }

  /** Reserves a 32-bit slot to fill later with `patchInt32`; returns its offset. */
  reserveInt32(): number {
    this.#ensure(4)
    const at = this.#len
    this.#len += 4
    return at
  }

  /** Writes a 32-bit integer into a slot reserved earlier. */
  patchInt32(at: number, value: number): void {
    const b = this.#buf
    b[at] = value >>> 24
    b[at + 1] = value >>> 16
    b[at + 2] = value >>> 8
    b[at + 3] = value
  }

  /** The bytes written, owned by the caller from now on. */
  finish(): Uint8Array {
    // Sized exactly (the usual case for fixed-width values): the buffer itself, no extra view.
    if (this.#len === this.#buf.length) return this.#buf
    return this.#buf.subarray(0, this.#len)
  }
}

/** A new buffer holding one big-endian 32-bit integer. */
export function int32Bytes(value: number): Uint8Array {
  const b = new Uint8Array(4)
  b[0] = value >>> 24
  b[1] = value >>> 16
  b[2] = value >>> 8
  b[3] = value
  return b
}
