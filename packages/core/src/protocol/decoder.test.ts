// Unit tests of BackendDecoder: hand-built frames from the protocol docs, round trips through
// the server encoder, chunking, ownership of views, and every malformed-input rejection.
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors/client.js'
import type { BackendMessage } from './backend.js'
import { DEFAULT_MAX_MESSAGE_SIZE, MAX_ALLOC_SIZE } from './codes.js'
import { BackendDecoder } from './decoder.js'
import { encodeBackendMessage } from './server-encoder.js'
import { Writer } from './writer.js'

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))
const int32 = (n: number): number[] => [
  (n >>> 24) & 0xff,
  (n >>> 16) & 0xff,
  (n >>> 8) & 0xff,
  n & 0xff,
]
const int16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff]
/** A typed frame with a correct length: type byte, Int32 length, body. */
const frame = (type: string, body: number[]): Uint8Array =>
  Uint8Array.from([type.charCodeAt(0), ...int32(body.length + 4), ...body])

function decodeAll(bytes: Uint8Array, decoder = new BackendDecoder()): BackendMessage[] {
  decoder.push(bytes)
  const out: BackendMessage[] = []
  for (let m = decoder.next(); m !== undefined; m = decoder.next()) out.push(m)
  return out
}

function decodeOne(bytes: Uint8Array): BackendMessage {
  const all = decodeAll(bytes)
  expect(all).toHaveLength(1)
  return all[0]!
}

function protocolErrorOf(bytes: Uint8Array, decoder = new BackendDecoder()): ProtocolError {
  try {
    decodeAll(bytes, decoder)
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError)
    return err as ProtocolError
  }
  throw new Error('expected a ProtocolError')
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

/** One of each backend message, with payloads that exercise every field. */
const SAMPLE_BACKEND_MESSAGES: BackendMessage[] = [
  { type: 'AuthenticationOk' },
  { type: 'AuthenticationKerberosV5' },
  { type: 'AuthenticationCleartextPassword' },
  { type: 'AuthenticationMD5Password', salt: bytes(1, 2, 3, 4) },
  { type: 'AuthenticationGSS' },
  { type: 'AuthenticationGSSContinue', data: bytes(9, 8, 7) },
  { type: 'AuthenticationSSPI' },
  { type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] },
  { type: 'AuthenticationSASLContinue', data: Uint8Array.from(ascii('r=abc,s=c2FsdA==,i=4096')) },
  { type: 'AuthenticationSASLFinal', data: Uint8Array.from(ascii('v=c2lnbmF0dXJl')) },
  { type: 'BackendKeyData', processId: 4242, secretKey: bytes(0xde, 0xad, 0xbe, 0xef) },
  { type: 'BackendKeyData', processId: -1, secretKey: new Uint8Array(32).fill(7) },
  { type: 'ParameterStatus', name: 'client_encoding', value: 'UTF8' },
  { type: 'ReadyForQuery', status: 'I' },
  { type: 'ReadyForQuery', status: 'T' },
  { type: 'ReadyForQuery', status: 'E' },
  {
    type: 'RowDescription',
    fields: [
      {
        name: 'id',
        tableOid: 16384,
        columnAttr: 1,
        typeOid: 23,
        typeSize: 4,
        typeModifier: -1,
        format: 0,
      },
      {
        name: 'naïve',
        tableOid: 0xfffffff0,
        columnAttr: -3,
        typeOid: 0xffffffff,
        typeSize: -1,
        typeModifier: 12,
        format: 1,
      },
    ],
  },
  { type: 'RowDescription', fields: [] },
  { type: 'DataRow', values: [bytes(0x31), null, new Uint8Array(0)] },
  { type: 'DataRow', values: [] },
  { type: 'CommandComplete', tag: 'INSERT 0 1' },
  { type: 'EmptyQueryResponse' },
  {
    type: 'ErrorResponse',
    fields: {
      severity: 'ERROR',
      severityNonLocalized: 'ERROR',
      code: '23505',
      message: 'duplicate key value violates unique constraint "t_pkey"',
      detail: 'Key (id)=(1) already exists.',
      hint: 'h',
      position: '1',
      internalPosition: '2',
      internalQuery: 'q',
      where: 'w',
      schema: 'public',
      table: 't',
      column: 'id',
      dataType: 'int4',
      constraint: 't_pkey',
      file: 'nbtinsert.c',
      line: '666',
      routine: '_bt_check_unique',
    },
  },
  { type: 'NoticeResponse', fields: { severity: 'NOTICE', code: '00000', message: 'hi' } },
  { type: 'NoticeResponse', fields: {} },
  { type: 'NotificationResponse', processId: 77, channel: 'events', payload: '{"a":1}' },
  { type: 'ParseComplete' },
  { type: 'BindComplete' },
  { type: 'CloseComplete' },
  { type: 'NoData' },
  { type: 'PortalSuspended' },
  { type: 'ParameterDescription', typeOids: [23, 25, 0xffffffff] },
  { type: 'ParameterDescription', typeOids: [] },
  { type: 'CopyInResponse', format: 0, columnFormats: [0, 0] },
  { type: 'CopyOutResponse', format: 1, columnFormats: [1] },
  { type: 'CopyBothResponse', format: 0, columnFormats: [] },
  { type: 'CopyData', data: Uint8Array.from(ascii('1\tfoo\n')) },
  { type: 'CopyDone' },
  { type: 'FunctionCallResponse', result: bytes(0, 0, 0, 1) },
  { type: 'FunctionCallResponse', result: null },
  { type: 'NegotiateProtocolVersion', newestMinorVersion: 0, unrecognizedOptions: ['_pq_.x'] },
]

describe('BackendDecoder: byte layouts from the protocol docs', () => {
  it('decodes ReadyForQuery', () => {
    expect(decodeOne(bytes(0x5a, 0, 0, 0, 5, 0x54))).toEqual({ type: 'ReadyForQuery', status: 'T' })
  })

  it('decodes AuthenticationMD5Password with its 4-byte salt', () => {
    const m = decodeOne(bytes(0x52, 0, 0, 0, 12, 0, 0, 0, 5, 0xa1, 0xb2, 0xc3, 0xd4))
    expect(m).toEqual({ type: 'AuthenticationMD5Password', salt: bytes(0xa1, 0xb2, 0xc3, 0xd4) })
  })

  it('decodes AuthenticationSASL with its mechanism list', () => {
    const body = [...int32(10), ...ascii('SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0')]
    expect(decodeOne(frame('R', body))).toEqual({
      type: 'AuthenticationSASL',
      mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'],
    })
  })

  it('decodes a 3.2 BackendKeyData with a 32-byte key', () => {
    const key = Array.from({ length: 32 }, (_, i) => i)
    const m = decodeOne(frame('K', [...int32(1234), ...key]))
    expect(m).toEqual({ type: 'BackendKeyData', processId: 1234, secretKey: Uint8Array.from(key) })
  })

  it('decodes RowDescription field by field', () => {
    const body = [
      ...int16(1),
      ...ascii('id\0'),
      ...int32(16384),
      ...int16(1),
      ...int32(23),
      ...int16(4),
      ...int32(-1),
      ...int16(0),
    ]
    expect(decodeOne(frame('T', body))).toEqual({
      type: 'RowDescription',
      fields: [
        {
          name: 'id',
          tableOid: 16384,
          columnAttr: 1,
          typeOid: 23,
          typeSize: 4,
          typeModifier: -1,
          format: 0,
        },
      ],
    })
  })

  it('decodes DataRow values and NULL (-1)', () => {
    const m = decodeOne(
      bytes(0x44, 0, 0, 0, 16, 0, 2, 0, 0, 0, 2, 0x61, 0x62, 0xff, 0xff, 0xff, 0xff),
    )
    expect(m).toEqual({ type: 'DataRow', values: [bytes(0x61, 0x62), null] })
  })

  it('decodes ErrorResponse field codes into names and skips unknown codes', () => {
    const body = ascii('SERROR\0C42P01\0Mrelation "x" does not exist\0P15\0Zfuture\0\0')
    expect(decodeOne(frame('E', body))).toEqual({
      type: 'ErrorResponse',
      fields: {
        severity: 'ERROR',
        code: '42P01',
        message: 'relation "x" does not exist',
        position: '15',
      },
    })
  })

  it('decodes CommandComplete, NotificationResponse and NegotiateProtocolVersion', () => {
    expect(decodeOne(frame('C', ascii('SELECT 3\0')))).toEqual({
      type: 'CommandComplete',
      tag: 'SELECT 3',
    })
    expect(decodeOne(frame('A', [...int32(9), ...ascii('ch\0pay\0')]))).toEqual({
      type: 'NotificationResponse',
      processId: 9,
      channel: 'ch',
      payload: 'pay',
    })
    const npv = frame('v', [...int32(0), ...int32(2), ...ascii('_pq_.a\0_pq_.b\0')])
    expect(decodeOne(npv)).toEqual({
      type: 'NegotiateProtocolVersion',
      newestMinorVersion: 0,
      unrecognizedOptions: ['_pq_.a', '_pq_.b'],
    })
  })

  it('decodes CopyOutResponse formats', () => {
    expect(decodeOne(frame('H', [1, ...int16(2), ...int16(1), ...int16(1)]))).toEqual({
      type: 'CopyOutResponse',
      format: 1,
      columnFormats: [1, 1],
    })
  })
})

describe('BackendDecoder: round trip through the server encoder', () => {
  it.each(SAMPLE_BACKEND_MESSAGES.map((m) => [m.type, m] as const))('%s', (_name, message) => {
    const w = new Writer()
    encodeBackendMessage(w, message)
    expect(decodeOne(w.flush())).toEqual(message)
  })

  it('decodes every sample from one chunk and from one byte at a time', () => {
    const w = new Writer()
    for (const m of SAMPLE_BACKEND_MESSAGES) encodeBackendMessage(w, m)
    const stream = w.flush()
    expect(decodeAll(stream)).toEqual(SAMPLE_BACKEND_MESSAGES)

    const d = new BackendDecoder()
    const out: unknown[] = []
    for (let i = 0; i < stream.length; i++) {
      d.push(stream.subarray(i, i + 1))
      // Copy views now: they are only valid until the next push.
      for (let m = d.next(); m !== undefined; m = d.next()) out.push(structuredClone(m))
    }
    expect(out).toEqual(SAMPLE_BACKEND_MESSAGES)
    expect(d.bufferedBytes).toBe(0)
  })
})

describe('BackendDecoder: incremental input and ownership', () => {
  it('returns undefined until a message is whole, then the message', () => {
    const d = new BackendDecoder()
    const m = bytes(0x43, 0, 0, 0, 13, ...ascii('SELECT 1\0'))
    d.push(m.subarray(0, 1))
    expect(d.next()).toBeUndefined()
    d.push(m.subarray(1, 7))
    expect(d.next()).toBeUndefined()
    d.push(m.subarray(7))
    expect(d.next()).toEqual({ type: 'CommandComplete', tag: 'SELECT 1' })
    expect(d.next()).toBeUndefined()
  })

  it('hands out DataRow values as views into the pushed chunk, not copies', () => {
    const chunk = bytes(0x44, 0, 0, 0, 11, 0, 1, 0, 0, 0, 1, 0x78)
    const d = new BackendDecoder()
    d.push(chunk)
    const m = d.next()
    if (m?.type !== 'DataRow') throw new Error('expected DataRow')
    const v = m.values[0]!
    expect(v.buffer).toBe(chunk.buffer)
    expect(v.byteOffset).toBe(11)
  })

  it('after release() keeps no view of the pushed chunk: its owner may read into it again', () => {
    const w = new Writer()
    encodeBackendMessage(w, { type: 'CommandComplete', tag: 'SELECT 12345' })
    const tag = w.flush().slice()
    const two = new Uint8Array(tag.length * 2)
    two.set(tag, 0)
    two.set(tag, tag.length)
    // One read buffer, reused: the first read ends inside the second message.
    const buffer = new Uint8Array(64)
    const d = new BackendDecoder()
    const cut = tag.length + 6
    buffer.set(two.subarray(0, cut))
    d.push(buffer.subarray(0, cut))
    expect(d.next()).toEqual({ type: 'CommandComplete', tag: 'SELECT 12345' })
    expect(d.next()).toBeUndefined()
    d.release()
    buffer.fill(0x58)
    buffer.set(two.subarray(cut))
    d.push(buffer.subarray(0, two.length - cut))
    expect(d.next()).toEqual({ type: 'CommandComplete', tag: 'SELECT 12345' })
    expect(d.next()).toBeUndefined()
    expect(d.bufferedBytes).toBe(0)
  })

  it('hands out owned copies for auth data and cancel keys', () => {
    const chunk = frame('K', [...int32(1), 1, 2, 3, 4])
    const d = new BackendDecoder()
    d.push(chunk)
    const m = d.next()
    if (m?.type !== 'BackendKeyData') throw new Error('expected BackendKeyData')
    expect(m.secretKey.buffer).not.toBe(chunk.buffer)
  })

  it('shares frozen singletons for payload-free messages', () => {
    const m = decodeAll(bytes(0x31, 0, 0, 0, 4, 0x31, 0, 0, 0, 4))
    expect(m[0]).toBe(m[1])
    expect(Object.isFrozen(m[0])).toBe(true)
  })

  it('does not allocate towards a declared length: a hostile near-limit header buffers only what arrived', () => {
    const d = new BackendDecoder()
    d.push(bytes(0x44, ...int32(DEFAULT_MAX_MESSAGE_SIZE)))
    expect(d.next()).toBeUndefined()
    for (let i = 0; i < 100; i++) {
      d.push(new Uint8Array(1000))
      expect(d.next()).toBeUndefined()
    }
    expect(d.capacity).toBeLessThanOrEqual(2 * (100 * 1000 + 5))
    expect(d.bufferedBytes).toBe(100 * 1000 + 5)
  })

  it('defaults maxMessageSize to MaxAllocSize plus the length word', () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(MAX_ALLOC_SIZE + 4)
    expect(MAX_ALLOC_SIZE).toBe(1024 * 1024 * 1024 - 1)
  })
})

describe('BackendDecoder: hostile and malformed input', () => {
  const cases: [string, Uint8Array, RegExp, BackendDecoder?][] = [
    ['length below 4', bytes(0x44, 0, 0, 0, 3), /^DataRow: length 3 is below 4/],
    ['negative length', bytes(0x44, 0xff, 0xff, 0xff, 0xfe), /^DataRow: length -2 is below 4/],
    [
      'length above maxMessageSize, before the body arrives',
      bytes(0x44, 0, 0, 0, 101),
      /^DataRow: length 101 exceeds maxMessageSize \(100\)/,
      new BackendDecoder({ maxMessageSize: 100 }),
    ],
    ['unknown type byte', bytes(0x7a), /unknown backend message type byte 0x7a \('z'\)/],
    [
      'unknown non-printable type byte',
      bytes(0x00, 0, 0),
      /unknown backend message type byte 0x00$/,
    ],
    [
      'ReadyForQuery with the wrong length',
      bytes(0x5a, 0, 0, 0, 6, 0x49, 0),
      /^ReadyForQuery: length 6 is wrong, must be 5/,
    ],
    [
      'ParseComplete with a body',
      bytes(0x31, 0, 0, 0, 5, 0),
      /^ParseComplete: length 5 is wrong, must be 4/,
    ],
    [
      'BackendKeyData too short',
      frame('K', int32(1)),
      /^BackendKeyData: length 8 is below the minimum of 12/,
    ],
    [
      'BackendKeyData key above 256 bytes',
      frame('K', [...int32(1), ...new Array(257).fill(0)]),
      /^BackendKeyData: length 265 exceeds the maximum of 264/,
    ],
    [
      'AuthenticationOk with extra bytes',
      frame('R', [...int32(0), 0, 0, 0, 0]),
      /^AuthenticationOk: length 12 is wrong, must be 8/,
    ],
    [
      'AuthenticationMD5Password with a short salt',
      frame('R', [...int32(5), 1, 2]),
      /^AuthenticationMD5Password: length 10 is wrong, must be 12/,
    ],
    [
      'Authentication data above PG_MAX_AUTH_TOKEN_LENGTH',
      bytes(0x52, 0, 1, 0, 8, 0, 0, 0, 11),
      /^Authentication: length 65544 exceeds the maximum of 65543/,
    ],
    [
      'unknown authentication code',
      frame('R', int32(6)),
      /^Authentication: unknown request code 6/,
    ],
    [
      'SASL list without its terminator',
      frame('R', [...int32(10), ...ascii('SCRAM-SHA-256\0')]),
      /^AuthenticationSASL: a mechanism name is missing its NUL terminator/,
    ],
    [
      'ReadyForQuery with an unknown status',
      bytes(0x5a, 0, 0, 0, 5, 0x58),
      /^ReadyForQuery: unknown transaction status byte 0x58 \('X'\)/,
    ],
    [
      'CommandComplete without NUL',
      frame('C', ascii('SELECT 1')),
      /^CommandComplete: the command tag is missing its NUL terminator/,
    ],
    [
      'CommandComplete with trailing bytes',
      frame('C', ascii('SELECT 1\0x')),
      /^CommandComplete: 1 unexpected bytes after the command tag/,
    ],
    [
      'ParameterStatus missing its value',
      frame('S', ascii('a\0b')),
      /^ParameterStatus: the parameter value is missing its NUL terminator/,
    ],
    [
      'DataRow field count overruns the body',
      frame('D', [...int16(1000), 0, 0]),
      /^DataRow: 1000 fields cannot fit in the 4-byte body/,
    ],
    [
      'DataRow field length overruns the body',
      frame('D', [...int16(1), ...int32(1000), 1, 2, 3, 4]),
      /^DataRow: field 0 length 1000 overruns the message body \(10 bytes\)/,
    ],
    [
      'DataRow with a negative length other than -1',
      frame('D', [...int16(1), ...int32(-2)]),
      /^DataRow: field 0 has length -2/,
    ],
    [
      'DataRow with bytes after its fields',
      frame('D', [...int16(0), 9]),
      /^DataRow: 1 unexpected bytes after 0 fields/,
    ],
    [
      'RowDescription column count overruns the body',
      frame('T', [...int16(2), ...ascii('a\0'), ...new Array(18).fill(0)]),
      /^RowDescription: 2 columns cannot fit/,
    ],
    [
      'RowDescription with format code 2',
      frame('T', [...int16(1), 0, ...new Array(16).fill(0), 0, 2]),
      /^RowDescription: column 0 format code 2 is neither 0/,
    ],
    [
      'ErrorResponse without its terminator',
      frame('E', ascii('SERROR\0')),
      /^ErrorResponse: body ends inside a field code/,
    ],
    [
      'ErrorResponse value without NUL',
      frame('E', ascii('SERROR')),
      /^ErrorResponse: field 0x53 \('S'\) is missing its NUL terminator/,
    ],
    [
      'ParameterDescription count mismatch',
      frame('t', [...int16(2), ...int32(23)]),
      /^ParameterDescription: 2 parameter types need 8 bytes, the body has 4 left/,
    ],
    [
      'CopyInResponse count mismatch',
      frame('G', [0, ...int16(3), ...int16(0)]),
      /^CopyInResponse: 3 column formats need 6 bytes/,
    ],
    [
      'CopyInResponse with overall format 7',
      frame('G', [7, ...int16(0)]),
      /^CopyInResponse: the overall format code 7/,
    ],
    [
      'FunctionCallResponse length mismatch',
      frame('V', [...int32(3), 1, 2]),
      /^FunctionCallResponse: result length 3 does not match the 2 bytes left/,
    ],
    [
      'NegotiateProtocolVersion count overruns',
      frame('v', [...int32(0), ...int32(0x7fffffff)]),
      /^NegotiateProtocolVersion: option count 2147483647 cannot fit/,
    ],
    [
      'NotificationResponse cut inside the payload',
      frame('A', [...int32(1), ...ascii('c\0p')]),
      /^NotificationResponse: the payload is missing its NUL terminator/,
    ],
  ]

  it.each(cases)('%s', (_name, input, message, decoder) => {
    const err = protocolErrorOf(input, decoder)
    expect(err.message).toMatch(message)
  })

  it('names the message in messageType', () => {
    expect(protocolErrorOf(frame('D', [...int16(1000)])).messageType).toBe('DataRow')
  })

  it('rejects an over-limit header without waiting for the body', () => {
    const d = new BackendDecoder({ maxMessageSize: 1 << 16 })
    d.push(bytes(0x44, 0x7f, 0xff, 0xff, 0xff))
    expect(() => d.next()).toThrow(ProtocolError)
  })

  it('is poisoned after a protocol error: push and next throw', () => {
    const d = new BackendDecoder()
    d.push(bytes(0x7a))
    expect(() => d.next()).toThrow(ProtocolError)
    expect(d.poisoned).toBe(true)
    expect(() => d.push(bytes(0x5a, 0, 0, 0, 5, 0x49))).toThrow(/stopped by an earlier error/)
    expect(() => d.next()).toThrow(ProtocolError)
  })

  it('rejects an invalid maxMessageSize option', () => {
    expect(() => new BackendDecoder({ maxMessageSize: 3 })).toThrow(/maxMessageSize 3/)
  })
})
