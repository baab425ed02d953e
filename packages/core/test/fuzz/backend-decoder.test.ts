// fast-check properties of BackendDecoder: re-chunking invariance, hostile bytes, corrupted
// streams and every length/count field mutated. Kept to a few seconds per run.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BackendDecoder, DEFAULT_MAX_MESSAGE_SIZE } from '../../src/protocol/index.js'
import {
  backendMessage,
  corrupt,
  cuts,
  detach,
  encodeBackendStream,
  expectSafeOutcome,
  feed,
  interestingLengths,
  mutations,
  overwrite,
  split,
} from './protocol-arbitraries.js'

const limits = fc.constantFrom<number | undefined>(undefined, 16, 64, 1024)
const decoderFor = (limit: number | undefined) =>
  new BackendDecoder(limit === undefined ? {} : { maxMessageSize: limit })

describe('BackendDecoder properties', () => {
  it('decodes any valid stream, re-chunked anywhere, to the same messages', () => {
    fc.assert(
      fc.property(
        fc.array(backendMessage, { maxLength: 12 }),
        cuts,
        fc.array(fc.boolean(), { maxLength: 24 }),
        (messages, points, drainAfter) => {
          const stream = encodeBackendStream(messages)
          const d = new BackendDecoder()
          const out: unknown[] = []
          const drain = () => {
            for (let m = d.next(); m !== undefined; m = d.next()) out.push(detach(m))
          }
          split(stream, points).forEach((chunk, i) => {
            d.push(chunk)
            // Sometimes push again before draining: the decoder must keep whole messages queued.
            if (drainAfter[i] ?? true) drain()
          })
          drain()
          expect(out).toEqual(messages.map(detach))
          expect(d.bufferedBytes).toBe(0)
        },
      ),
      { numRuns: 250 },
    )
  })

  it('on random bytes only decodes, waits or throws ProtocolError, within its memory bound', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cuts, limits, (stream, points, limit) => {
        const d = decoderFor(limit)
        const outcome = feed(d, split(stream, points))
        expectSafeOutcome(d, outcome, limit ?? DEFAULT_MAX_MESSAGE_SIZE)
      }),
      { numRuns: 300 },
    )
  })

  it('on corrupted or truncated valid streams only decodes, waits or throws ProtocolError', () => {
    fc.assert(
      fc.property(
        fc.array(backendMessage, { minLength: 1, maxLength: 6 }),
        mutations,
        fc.option(fc.nat()),
        cuts,
        limits,
        (messages, muts, cut, points, limit) => {
          const stream = corrupt(encodeBackendStream(messages), muts, cut)
          const d = decoderFor(limit)
          const outcome = feed(d, split(stream, points))
          expectSafeOutcome(d, outcome, limit ?? DEFAULT_MAX_MESSAGE_SIZE)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('survives every length and count field mutated, at every offset', () => {
    fc.assert(
      fc.property(backendMessage, fc.integer(), (message, random) => {
        const frame = encodeBackendStream([message])
        const limit = 4096
        for (const width of [4, 2] as const) {
          for (let at = 1; at + width <= frame.length; at++) {
            for (const value of [...interestingLengths(frame.length), random]) {
              const d = new BackendDecoder({ maxMessageSize: limit })
              const mutated = overwrite(frame, at, width, value)
              const outcome = feed(d, [mutated])
              expectSafeOutcome(d, outcome, limit)
              // A header that now claims more bytes than exist must wait or fail, never decode.
              if (at === 1 && width === 4 && value > frame.length - 1) {
                expect(outcome.decoded).toBe(0)
              }
            }
          }
        }
      }),
      { numRuns: 25 },
    )
  })
})
