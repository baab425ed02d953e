// fast-check properties of FrontendDecoder (the fake-server side): re-chunking invariance,
// hostile bytes, corrupted conversations and every length/count field mutated.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AuthResponseKind,
  DEFAULT_MAX_MESSAGE_SIZE,
  FrontendDecoder,
  type FrontendMessage,
} from '../../src/protocol/index.js'
import {
  authKindOf,
  corrupt,
  cuts,
  detach,
  encodeFrontendStream,
  expectSafeOutcome,
  feed,
  frontendConversation,
  interestingLengths,
  mutations,
  overwrite,
  split,
  startupMessage,
  typedFrontendMessage,
} from './protocol-arbitraries.js'

const authKinds = fc.constantFrom<AuthResponseKind>(
  'PasswordMessage',
  'SASLInitialResponse',
  'SASLResponse',
  'GSSResponse',
)
const limits = fc.constantFrom<number | undefined>(undefined, 16, 64, 1024)
const decoderFor = (limit: number | undefined, kind: AuthResponseKind) => {
  const d = new FrontendDecoder(limit === undefined ? {} : { maxMessageSize: limit })
  d.authResponseKind = kind
  return d
}

describe('FrontendDecoder properties', () => {
  it('decodes any valid conversation, re-chunked anywhere, to the same messages', () => {
    fc.assert(
      fc.property(frontendConversation, cuts, (messages, points) => {
        const stream = encodeFrontendStream(messages)
        const d = new FrontendDecoder()
        const out: FrontendMessage[] = []
        for (const chunk of split(stream, points)) {
          d.push(chunk)
          for (;;) {
            // A fake server knows which authentication answer it is waiting for.
            const kind = authKindOf(messages[out.length])
            if (kind !== undefined) d.authResponseKind = kind
            const m = d.next()
            if (m === undefined) break
            out.push(detach(m))
          }
        }
        expect(out).toEqual(messages.map(detach))
        expect(d.bufferedBytes).toBe(0)
        expect(d.awaitingStartup).toBe(false)
      }),
      { numRuns: 250 },
    )
  })

  it('on random bytes only decodes, waits or throws ProtocolError, within its memory bound', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        cuts,
        limits,
        authKinds,
        (stream, afterStartup, points, limit, kind) => {
          const d = decoderFor(limit, kind)
          if (afterStartup) {
            d.push(
              encodeFrontendStream([
                { type: 'StartupMessage', protocolVersion: 196608, parameters: {} },
              ]),
            )
            d.next()
          }
          const outcome = feed(d, split(stream, points))
          expectSafeOutcome(d, outcome, limit ?? DEFAULT_MAX_MESSAGE_SIZE)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('on corrupted or truncated valid conversations only decodes, waits or throws ProtocolError', () => {
    fc.assert(
      fc.property(
        frontendConversation,
        mutations,
        fc.option(fc.nat()),
        cuts,
        limits,
        authKinds,
        (messages, muts, cut, points, limit, kind) => {
          const stream = corrupt(encodeFrontendStream(messages), muts, cut)
          const d = decoderFor(limit, kind)
          const outcome = feed(d, split(stream, points))
          expectSafeOutcome(d, outcome, limit ?? DEFAULT_MAX_MESSAGE_SIZE)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('survives every length and count field of a startup packet mutated', () => {
    fc.assert(
      fc.property(startupMessage, fc.integer(), (message, random) => {
        const packet = encodeFrontendStream([message])
        for (const width of [4, 2] as const) {
          for (let at = 0; at + width <= packet.length; at++) {
            for (const value of [...interestingLengths(packet.length), random]) {
              const d = new FrontendDecoder()
              const outcome = feed(d, [overwrite(packet, at, width, value)])
              expectSafeOutcome(d, outcome, DEFAULT_MAX_MESSAGE_SIZE)
            }
          }
        }
      }),
      { numRuns: 25 },
    )
  })

  it('survives every length and count field of a typed message mutated', () => {
    fc.assert(
      fc.property(typedFrontendMessage, authKinds, fc.integer(), (message, kind, random) => {
        const frame = encodeFrontendStream([message])
        const limit = 4096
        for (const width of [4, 2] as const) {
          for (let at = 1; at + width <= frame.length; at++) {
            for (const value of [...interestingLengths(frame.length), random]) {
              const d = decoderFor(limit, authKindOf(message) ?? kind)
              d.push(
                encodeFrontendStream([
                  { type: 'StartupMessage', protocolVersion: 196608, parameters: {} },
                ]),
              )
              d.next()
              const outcome = feed(d, [overwrite(frame, at, width, value)])
              expectSafeOutcome(d, outcome, limit)
            }
          }
        }
      }),
      { numRuns: 25 },
    )
  })
})
