// Unit tests of the server-side FrontendDecoder: the startup phase, round trips through the
// frontend encoders, and malformed-input rejection.
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors/client.js'
import { PROTOCOL_3_2 } from './codes.js'
import { encodeBind, encodeFrontendMessage } from './frontend.js'
import { type AuthResponseKind, FrontendDecoder } from './frontend-decoder.js'
import type { FrontendMessage } from './frontend-messages.js'
import { Writer } from './writer.js'

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))
const int32 = (n: number): number[] => [
  (n >>> 24) & 0xff,
  (n >>> 16) & 0xff,
  (n >>> 8) & 0xff,
  n & 0xff,
]
const int16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff]
const frame = (type: string, body: number[]): Uint8Array =>
  Uint8Array.from([type.charCodeAt(0), ...int32(body.length + 4), ...body])
const packet = (body: number[]): Uint8Array => Uint8Array.from([...int32(body.length + 4), ...body])

const STARTUP: FrontendMessage = {
  type: 'StartupMessage',
  protocolVersion: 196608,
  parameters: { user: 'alice', database: 'db', application_name: 'tusk', options: '-c a=b' },
}

/** A decoder that has seen a StartupMessage, so typed messages follow. */
function started(): FrontendDecoder {
  const d = new FrontendDecoder()
  const w = new Writer()
  encodeFrontendMessage(w, STARTUP)
  d.push(w.flush())
  expect(d.next()?.type).toBe('StartupMessage')
  return d
}

function drain(d: FrontendDecoder): FrontendMessage[] {
  const out: FrontendMessage[] = []
  for (let m = d.next(); m !== undefined; m = d.next()) out.push(m)
  return out
}

function encode(...messages: FrontendMessage[]): Uint8Array {
  const w = new Writer()
  for (const m of messages) encodeFrontendMessage(w, m)
  return w.flush()
}

function protocolErrorOf(d: FrontendDecoder, input: Uint8Array): ProtocolError {
  try {
    d.push(input)
    drain(d)
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError)
    return err as ProtocolError
  }
  throw new Error('expected a ProtocolError')
}

const TYPED_SAMPLES: [AuthResponseKind | undefined, FrontendMessage][] = [
  ['PasswordMessage', { type: 'PasswordMessage', password: 'md5abc' }],
  [
    'SASLInitialResponse',
    { type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: Uint8Array.of(1, 2) },
  ],
  ['SASLInitialResponse', { type: 'SASLInitialResponse', mechanism: 'X', data: null }],
  ['SASLResponse', { type: 'SASLResponse', data: Uint8Array.from(ascii('c=biws,r=x,p=y')) }],
  ['GSSResponse', { type: 'GSSResponse', data: Uint8Array.of(0x60, 0x82) }],
  [undefined, { type: 'Query', query: 'select 1; select 2' }],
  [undefined, { type: 'Parse', name: 's1', query: 'select $1::int', paramTypes: [23, 0xffffffff] }],
  [
    undefined,
    {
      type: 'Bind',
      portal: 'p',
      statement: 's1',
      paramFormats: [0, 1],
      params: [Uint8Array.from(ascii('42')), null, new Uint8Array(0)],
      resultFormats: [1],
    },
  ],
  [undefined, { type: 'Describe', target: 'S', name: 's1' }],
  [undefined, { type: 'Describe', target: 'P', name: '' }],
  [undefined, { type: 'Execute', portal: '', maxRows: 0 }],
  [undefined, { type: 'Execute', portal: 'p', maxRows: 500 }],
  [undefined, { type: 'Sync' }],
  [undefined, { type: 'Flush' }],
  [undefined, { type: 'Close', target: 'S', name: 's1' }],
  [undefined, { type: 'Close', target: 'P', name: 'p' }],
  [undefined, { type: 'CopyData', data: Uint8Array.from(ascii('1\t2\n')) }],
  [undefined, { type: 'CopyDone' }],
  [undefined, { type: 'CopyFail', message: 'aborted by user' }],
  [
    undefined,
    {
      type: 'FunctionCall',
      functionOid: 1598,
      argFormats: [1],
      args: [Uint8Array.of(0, 0, 0, 1), null],
      resultFormat: 1,
    },
  ],
  [undefined, { type: 'Terminate' }],
]

describe('FrontendDecoder: the startup phase', () => {
  it('decodes a StartupMessage with its parameters, then expects typed messages', () => {
    const d = new FrontendDecoder()
    expect(d.awaitingStartup).toBe(true)
    d.push(encode(STARTUP))
    expect(d.next()).toEqual(STARTUP)
    expect(d.awaitingStartup).toBe(false)
  })

  it('decodes a hand-built 3.2 StartupMessage', () => {
    const d = new FrontendDecoder()
    d.push(packet([0, 3, 0, 2, ...ascii('user\0bob\0\0')]))
    expect(d.next()).toEqual({
      type: 'StartupMessage',
      protocolVersion: PROTOCOL_3_2,
      parameters: { user: 'bob' },
    })
  })

  it('stays in the startup phase after SSLRequest and GSSENCRequest', () => {
    const d = new FrontendDecoder()
    d.push(encode({ type: 'SSLRequest' }, { type: 'GSSENCRequest' }, STARTUP, { type: 'Sync' }))
    expect(d.next()).toEqual({ type: 'SSLRequest' })
    expect(d.awaitingStartup).toBe(true)
    expect(d.next()).toEqual({ type: 'GSSENCRequest' })
    expect(d.next()).toEqual(STARTUP)
    expect(d.next()).toEqual({ type: 'Sync' })
  })

  it('decodes CancelRequest with a 3.0 and a 3.2 key', () => {
    const d = new FrontendDecoder()
    const short = { type: 'CancelRequest', processId: 7, secretKey: Uint8Array.of(1, 2, 3, 4) }
    const long = { type: 'CancelRequest', processId: 8, secretKey: new Uint8Array(256).fill(3) }
    d.push(encode(short as FrontendMessage, long as FrontendMessage))
    expect(drain(d)).toEqual([short, long])
  })

  it('waits for a startup packet cut anywhere', () => {
    const bytes = encode(STARTUP)
    for (let cut = 0; cut < bytes.length; cut++) {
      const d = new FrontendDecoder()
      d.push(bytes.subarray(0, cut))
      expect(d.next()).toBeUndefined()
      d.push(bytes.subarray(cut))
      expect(d.next()).toEqual(STARTUP)
    }
  })
})

describe('FrontendDecoder: round trip through the frontend encoders', () => {
  it.each(TYPED_SAMPLES.map(([kind, m]) => [m.type, kind, m] as const))(
    '%s',
    (_name, kind, message) => {
      const d = started()
      if (kind !== undefined) d.authResponseKind = kind
      d.push(encode(message))
      expect(drain(d)).toEqual([message])
    },
  )

  it('decodes string Bind parameters as their UTF-8 bytes', () => {
    const d = started()
    const w = new Writer()
    encodeBind(w, '', 's', [0], ['€', null], [])
    d.push(w.flush())
    expect(drain(d)).toEqual([
      {
        type: 'Bind',
        portal: '',
        statement: 's',
        paramFormats: [0],
        params: [Uint8Array.of(0xe2, 0x82, 0xac), null],
        resultFormats: [],
      },
    ])
  })
})

describe('FrontendDecoder: malformed input', () => {
  const startupCases: [string, Uint8Array, RegExp][] = [
    [
      'startup packet below 8 bytes',
      packet([0, 3, 0]),
      /^StartupPacket: length 7 is below the minimum of 8/,
    ],
    [
      'startup packet above 10000 bytes',
      Uint8Array.from(int32(10001)),
      /^StartupPacket: length 10001 exceeds the maximum of 10000/,
    ],
    ['protocol 2.0', packet([0, 2, 0, 0, 0]), /^StartupMessage: unsupported protocol version 2\.0/],
    [
      'an unknown 1234.x request code',
      packet(int32((1234 << 16) | 5681)),
      /^StartupMessage: unsupported protocol version 1234\.5681/,
    ],
    [
      'SSLRequest with a body',
      packet([...int32(80877103), 0, 0, 0, 0]),
      /^SSLRequest: length 12 is wrong, must be 8/,
    ],
    [
      'CancelRequest with a 3-byte key',
      packet([...int32(80877102), ...int32(1), 1, 2, 3]),
      /^CancelRequest: secret key of 3 bytes is outside 4\.\.256/,
    ],
    [
      'parameters without the final NUL',
      packet([0, 3, 0, 0, ...ascii('user\0u\0')]),
      /^StartupMessage: a parameter name \(the list has no terminator\) is missing its NUL/,
    ],
    [
      'a parameter without its value',
      packet([0, 3, 0, 0, ...ascii('user\0')]),
      /^StartupMessage: the value of user is missing its NUL/,
    ],
  ]
  it.each(startupCases)('rejects %s', (_name, input, message) => {
    expect(protocolErrorOf(new FrontendDecoder(), input).message).toMatch(message)
  })

  const typedCases: [string, Uint8Array, RegExp][] = [
    ['an unknown type byte', Uint8Array.of(0x7a), /unknown frontend message type byte 0x7a/],
    ['Sync with a body', frame('S', [0]), /^Sync: length 5 is wrong, must be 4/],
    [
      'Describe of an unknown target',
      frame('D', [0x58, 0]),
      /^Describe: target 0x58 \('X'\) is neither 'S' nor 'P'/,
    ],
    [
      'Bind whose parameter overruns the body',
      frame('B', [0, 0, ...int16(0), ...int16(1), ...int32(99), ...int16(0)]),
      /^Bind: parameter 0 length 99 overruns the message body/,
    ],
    [
      'Bind with a huge parameter count',
      frame('B', [0, 0, ...int16(0), ...int16(65535), ...int16(0)]),
      /^Bind: 65535 parameters cannot fit/,
    ],
    [
      'Parse with a type count mismatch',
      frame('P', [0, 0, ...int16(2), ...int32(23)]),
      /^Parse: 2 parameter types need 8 bytes/,
    ],
    [
      'Execute with trailing bytes',
      frame('E', [0, ...int32(0), 1]),
      /^Execute: 1 unexpected bytes after the row limit/,
    ],
    ['Query without NUL', frame('Q', ascii('select')), /^Query: the query text is missing its NUL/],
  ]
  it.each(typedCases)('rejects %s', (_name, input, message) => {
    const err = protocolErrorOf(started(), input)
    expect(err.message).toMatch(message)
  })

  it('reads `p` according to authResponseKind', () => {
    const d = started()
    d.authResponseKind = 'SASLInitialResponse'
    const err = protocolErrorOf(d, frame('p', [...ascii('M\0'), ...int32(5), 1]))
    expect(err.message).toMatch(/^SASLInitialResponse: response length 5 does not match/)
    expect(err.messageType).toBe('SASLInitialResponse')
  })

  it('is poisoned after a protocol error', () => {
    const d = new FrontendDecoder()
    protocolErrorOf(d, packet([0, 2, 0, 0]))
    expect(d.poisoned).toBe(true)
    expect(() => d.push(encode(STARTUP))).toThrow(ProtocolError)
    expect(() => d.next()).toThrow(ProtocolError)
  })
})
