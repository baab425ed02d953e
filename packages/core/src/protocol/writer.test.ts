// Unit tests of the growable Writer: framing, integers, UTF-8, growth and misuse.
// Runs on bytes alone, no socket.
import { describe, expect, it } from 'vitest'
import { InterfaceError } from '../errors/base.js'
import { Writer } from './writer.js'

describe('Writer', () => {
  it('frames a typed message and back-patches its length', () => {
    const w = new Writer()
    w.startMessage(0x51).cstring('ab').endMessage()
    expect([...w.flush()]).toEqual([0x51, 0, 0, 0, 7, 0x61, 0x62, 0])
  })

  it('frames an untyped message with the length first', () => {
    const w = new Writer()
    w.startUntypedMessage('StartupMessage').int32(196608).endMessage()
    expect([...w.flush()]).toEqual([0, 0, 0, 8, 0, 3, 0, 0])
  })

  it('writes big-endian integers, negative ones as two’s complement', () => {
    const w = new Writer()
    w.int8(0x1ff).int16(-2).int32(-1).int32(0xfffffffe)
    expect([...w.flush()]).toEqual([
      0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    ])
  })

  it('grows past its initial capacity without losing bytes', () => {
    const w = new Writer(16)
    const big = new Uint8Array(10_000).map((_, i) => i & 0xff)
    w.startMessage(0x64).bytes(big).endMessage()
    const out = w.flush()
    expect(out.length).toBe(10_005)
    expect(new DataView(out.buffer).getInt32(1)).toBe(10_004)
    expect(out.subarray(5)).toEqual(big)
  })

  it('encodes non-ASCII text as UTF-8, short and long', () => {
    const w = new Writer()
    expect(w.string('é')).toBe(2)
    expect(w.string('€'.repeat(100))).toBe(300)
    expect(w.string('😀')).toBe(4)
    expect(w.flush().length).toBe(306)
  })

  it('encodes long mixed text exactly as TextEncoder does, past the ASCII-sized first pass', () => {
    const value = 'a'.repeat(5000) + '€'.repeat(5000) + '😀' + 'z'
    const w = new Writer(8)
    w.int8(7)
    expect(w.string(value)).toBe(5000 + 15000 + 4 + 1)
    expect(w.flush().subarray(1)).toEqual(new TextEncoder().encode(value))
  })

  it('flush returns a copy and empties the writer', () => {
    const w = new Writer()
    w.int8(1)
    const a = w.flush()
    w.int8(2)
    const b = w.flush()
    expect([...a]).toEqual([1])
    expect([...b]).toEqual([2])
    expect(w.length).toBe(0)
  })

  it('rejects a NUL in a cstring and drops only the half-written message', () => {
    const w = new Writer()
    w.startMessage(0x53).endMessage()
    expect(() => w.startMessage(0x51, 'Query').cstring('a\0b', 'the query text')).toThrow(
      /Query: the query text contains a NUL/,
    )
    expect([...w.flush()]).toEqual([0x53, 0, 0, 0, 4])
  })

  it('refuses to nest messages or end one that was never started', () => {
    const w = new Writer()
    expect(() => w.endMessage()).toThrow(InterfaceError)
    w.startMessage(0x51, 'Query')
    expect(() => w.startMessage(0x53, 'Sync')).toThrow(/Sync: cannot start a message while Query/)
    expect(() => w.flush()).toThrow(/inside an open message/)
    w.reset()
    expect(w.length).toBe(0)
  })
})
