// Unit tests of the client→server encoders against hand-built frames from the protocol docs,
// and of misuse being reported as InterfaceError without leaving a half-written frame.
import { describe, expect, it } from 'vitest'
import { InterfaceError } from '../errors/base.js'
import { ProtocolError } from '../errors/client.js'
import {
  CANCEL_REQUEST_CODE,
  GSSENC_REQUEST_CODE,
  PROTOCOL_3_0,
  PROTOCOL_3_2,
  SSL_REQUEST_CODE,
} from './codes.js'
import {
  COPY_DONE_FRAME,
  encodeBind,
  encodeCancelRequest,
  encodeClose,
  encodeCopyData,
  encodeCopyDone,
  encodeCopyFail,
  encodeDescribe,
  encodeExecute,
  encodeFlush,
  encodeGSSENCRequest,
  encodeParse,
  encodePasswordMessage,
  encodeQuery,
  encodeSASLInitialResponse,
  encodeSASLResponse,
  encodeSSLRequest,
  encodeStartupMessage,
  encodeSync,
  encodeTerminate,
  FLUSH_FRAME,
  SYNC_FRAME,
  TERMINATE_FRAME,
} from './frontend.js'
import { Writer } from './writer.js'

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))
const int32 = (n: number): number[] => [
  (n >>> 24) & 0xff,
  (n >>> 16) & 0xff,
  (n >>> 8) & 0xff,
  n & 0xff,
]
const int16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff]

function encoded(write: (w: Writer) => void): number[] {
  const w = new Writer()
  write(w)
  return [...w.flush()]
}

describe('frontend encoders: byte layouts from the protocol docs', () => {
  it('builds the constant frames once, with length 4', () => {
    expect([...SYNC_FRAME]).toEqual([0x53, 0, 0, 0, 4])
    expect([...FLUSH_FRAME]).toEqual([0x48, 0, 0, 0, 4])
    expect([...TERMINATE_FRAME]).toEqual([0x58, 0, 0, 0, 4])
    expect([...COPY_DONE_FRAME]).toEqual([0x63, 0, 0, 0, 4])
    expect(encoded(encodeSync)).toEqual([...SYNC_FRAME])
    expect(encoded(encodeFlush)).toEqual([...FLUSH_FRAME])
    expect(encoded(encodeTerminate)).toEqual([...TERMINATE_FRAME])
    expect(encoded(encodeCopyDone)).toEqual([...COPY_DONE_FRAME])
  })

  it('encodes SSLRequest and GSSENCRequest with their request codes', () => {
    expect(SSL_REQUEST_CODE).toBe((1234 << 16) | 5679)
    expect(GSSENC_REQUEST_CODE).toBe((1234 << 16) | 5680)
    expect(CANCEL_REQUEST_CODE).toBe((1234 << 16) | 5678)
    expect(encoded(encodeSSLRequest)).toEqual([0, 0, 0, 8, ...int32(80877103)])
    expect(encoded(encodeGSSENCRequest)).toEqual([0, 0, 0, 8, ...int32(80877104)])
  })

  it('encodes StartupMessage 3.0 with parameters in order and a final NUL', () => {
    const body = [...int32(196608), ...ascii('user\0u\0database\0d\0\0')]
    expect(PROTOCOL_3_0).toBe(196608)
    expect(encoded((w) => encodeStartupMessage(w, { user: 'u', database: 'd' }))).toEqual([
      ...int32(body.length + 4),
      ...body,
    ])
  })

  it('encodes a StartupMessage asking for protocol 3.2', () => {
    expect(PROTOCOL_3_2).toBe(196610)
    const out = encoded((w) => encodeStartupMessage(w, { user: 'u' }, PROTOCOL_3_2))
    expect(out.slice(4, 8)).toEqual([0, 3, 0, 2])
  })

  it('encodes CancelRequest with a 4-byte (3.0) and a 32-byte (3.2) key', () => {
    expect(encoded((w) => encodeCancelRequest(w, 77, Uint8Array.of(1, 2, 3, 4)))).toEqual([
      ...int32(16),
      ...int32(80877102),
      ...int32(77),
      1,
      2,
      3,
      4,
    ])
    const key = new Uint8Array(32).fill(9)
    const out = encoded((w) => encodeCancelRequest(w, 77, key))
    expect(out.slice(0, 4)).toEqual(int32(44))
    expect(out.slice(12)).toEqual([...key])
  })

  it('encodes Query as a NUL-terminated UTF-8 string', () => {
    expect(encoded((w) => encodeQuery(w, 'select 1'))).toEqual([
      0x51,
      ...int32(13),
      ...ascii('select 1\0'),
    ])
    expect(encoded((w) => encodeQuery(w, 'é')).slice(5)).toEqual([0xc3, 0xa9, 0])
  })

  it('encodes Parse with its parameter type OIDs', () => {
    const body = [...ascii('s1\0select $1\0'), ...int16(1), ...int32(23)]
    expect(encoded((w) => encodeParse(w, 's1', 'select $1', [23]))).toEqual([
      0x50,
      ...int32(body.length + 4),
      ...body,
    ])
  })

  it('encodes Bind with formats, string/bytes/NULL parameters and result formats', () => {
    const body = [
      ...ascii('\0s1\0'),
      ...int16(1),
      ...int16(0),
      ...int16(3),
      ...int32(2),
      ...ascii('42'),
      ...int32(-1),
      ...int32(3),
      1,
      2,
      3,
      ...int16(1),
      ...int16(1),
    ]
    const out = encoded((w) =>
      encodeBind(w, '', 's1', [0], ['42', null, Uint8Array.of(1, 2, 3)], [1]),
    )
    expect(out).toEqual([0x42, ...int32(body.length + 4), ...body])
  })

  it('encodes a multi-byte string parameter with its byte length', () => {
    const out = encoded((w) => encodeBind(w, '', '', [], ['€'], []))
    // B len | '' | '' | 0 formats | 1 param | len 3 | e2 82 ac | 0 result formats
    expect(out.slice(11, 18)).toEqual([...int32(3), 0xe2, 0x82, 0xac])
  })

  it('encodes Describe, Execute and Close', () => {
    expect(encoded((w) => encodeDescribe(w, 'S', 's1'))).toEqual([
      0x44,
      ...int32(8),
      0x53,
      ...ascii('s1\0'),
    ])
    expect(encoded((w) => encodeExecute(w, '', 100))).toEqual([0x45, ...int32(9), 0, ...int32(100)])
    expect(encoded((w) => encodeClose(w, 'P', 'p'))).toEqual([
      0x43,
      ...int32(7),
      0x50,
      ...ascii('p\0'),
    ])
  })

  it('encodes the authentication responses', () => {
    expect(encoded((w) => encodePasswordMessage(w, 'pw'))).toEqual([
      0x70,
      ...int32(7),
      ...ascii('pw\0'),
    ])
    expect(encoded((w) => encodeSASLInitialResponse(w, 'M', Uint8Array.of(9)))).toEqual([
      0x70,
      ...int32(11),
      ...ascii('M\0'),
      ...int32(1),
      9,
    ])
    expect(encoded((w) => encodeSASLInitialResponse(w, 'M', null))).toEqual([
      0x70,
      ...int32(10),
      ...ascii('M\0'),
      ...int32(-1),
    ])
    expect(encoded((w) => encodeSASLResponse(w, Uint8Array.of(5, 6)))).toEqual([
      0x70,
      ...int32(6),
      5,
      6,
    ])
  })

  it('encodes CopyData and CopyFail', () => {
    expect(encoded((w) => encodeCopyData(w, Uint8Array.of(1, 2)))).toEqual([
      0x64,
      ...int32(6),
      1,
      2,
    ])
    expect(encoded((w) => encodeCopyFail(w, 'no'))).toEqual([0x66, ...int32(7), ...ascii('no\0')])
  })

  it('appends many messages into one buffer', () => {
    const w = new Writer(8)
    encodeParse(w, '', 'select 1')
    encodeBind(w, '', '', [], [])
    encodeExecute(w, '')
    encodeSync(w)
    const out = w.flush()
    expect(out.length).toBe(17 + 13 + 10 + 5)
    expect([...out.subarray(out.length - 5)]).toEqual([...SYNC_FRAME])
  })
})

describe('frontend encoders: misuse is an InterfaceError, never a broken frame', () => {
  const misuse = (write: (w: Writer) => void): InterfaceError => {
    const w = new Writer()
    encodeSync(w)
    try {
      write(w)
    } catch (err) {
      expect(err).toBeInstanceOf(InterfaceError)
      expect(err).not.toBeInstanceOf(ProtocolError)
      // The Sync written before is intact and nothing half-written follows it.
      expect([...w.flush()]).toEqual([...SYNC_FRAME])
      return err as InterfaceError
    }
    throw new Error('expected an InterfaceError')
  }

  it('rejects NUL in a query, name or startup parameter', () => {
    expect(misuse((w) => encodeQuery(w, 'select 1\0; drop table t')).message).toMatch(
      /^Query: the query text contains a NUL/,
    )
    expect(misuse((w) => encodeParse(w, 'a\0', 'x')).message).toMatch(/^Parse: the statement name/)
    expect(misuse((w) => encodeStartupMessage(w, { user: 'a\0b' })).message).toMatch(
      /^StartupMessage: parameter user/,
    )
  })

  it('rejects more than 65535 parameters', () => {
    const params = new Array<null>(65536).fill(null)
    expect(misuse((w) => encodeBind(w, '', '', [], params)).message).toMatch(/65536 parameters/)
  })

  it('rejects cancel keys outside 4..256 bytes', () => {
    misuse((w) => encodeCancelRequest(w, 1, new Uint8Array(3)))
    misuse((w) => encodeCancelRequest(w, 1, new Uint8Array(257)))
  })

  it('rejects a bad row limit, protocol version or empty parameter name', () => {
    misuse((w) => encodeExecute(w, '', -1))
    misuse((w) => encodeExecute(w, '', 1.5))
    misuse((w) => encodeStartupMessage(w, { user: 'u' }, 0x20000))
    misuse((w) => encodeStartupMessage(w, { '': 'x' }))
  })
})
