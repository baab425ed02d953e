// Counterexamples the protocol properties in this folder found, kept as named cases so they
// run on every build even when the random search does not hit them again.
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../src/errors/client.js'
import { BackendDecoder, DEFAULT_MAX_MESSAGE_SIZE } from '../../src/protocol/index.js'
import {
  corrupt,
  encodeBackendStream,
  expectSafeOutcome,
  feed,
  interestingLengths,
  overwrite,
  split,
} from './protocol-arbitraries.js'

describe('protocol fuzz regressions', () => {
  it('rejects a fixed-size message whose header claims extra bytes at once, without waiting (length-mutation property, seed -2097811558)', () => {
    const d = new BackendDecoder()
    d.push(Uint8Array.of(0x49, 0, 0, 0, 5)) // EmptyQueryResponse claiming a 1-byte body
    expect(() => d.next()).toThrow(/^EmptyQueryResponse: length 5 is wrong, must be 4/)
  })

  it('rejects an ErrorResponse whose field list is cut inside a field (length-mutation property on {routine: ""})', () => {
    const frame = encodeBackendStream([{ type: 'ErrorResponse', fields: { routine: '' } }])
    expect([...frame]).toEqual([0x45, 0, 0, 0, 7, 0x52, 0, 0])
    for (const [bytes, message] of [
      [Uint8Array.of(0x45, 0, 0, 0, 6, 0x52, 0), /^ErrorResponse: body ends inside a field code/],
      [
        Uint8Array.of(0x45, 0, 0, 0, 5, 0x52),
        /^ErrorResponse: field 0x52 \('R'\) is missing its NUL/,
      ],
    ] as const) {
      const d = new BackendDecoder()
      d.push(bytes)
      expect(() => d.next()).toThrow(message)
    }
    for (let at = 0; at + 2 <= frame.length; at++) {
      for (const width of [2, 4] as const) {
        if (at + width > frame.length) continue
        for (const value of interestingLengths(frame.length)) {
          const d = new BackendDecoder()
          expectSafeOutcome(
            d,
            feed(d, [overwrite(frame, at, width, value)]),
            DEFAULT_MAX_MESSAGE_SIZE,
          )
        }
      }
    }
  })

  it('rejects a stream whose RowDescription column count was corrupted to overrun the body (corrupted-stream property)', () => {
    const messages = encodeBackendStream([
      {
        type: 'RowDescription',
        fields: [
          {
            name: '',
            tableOid: 0,
            columnAttr: 0,
            typeOid: 0,
            typeSize: 0,
            typeModifier: 0,
            format: 0,
          },
        ],
      },
      { type: 'CommandComplete', tag: '𐀀𐀀𐀀' },
      { type: 'FunctionCallResponse', result: null },
      { type: 'AuthenticationOk' },
      { type: 'AuthenticationGSSContinue', data: new Uint8Array(7) },
    ])
    const stream = corrupt(messages, [[2059596013, 1]], 3939440)
    const d = new BackendDecoder()
    const outcome = feed(d, split(stream, []))
    expectSafeOutcome(d, outcome, DEFAULT_MAX_MESSAGE_SIZE)
    expect(outcome.error).toBeInstanceOf(ProtocolError)
  })
})
