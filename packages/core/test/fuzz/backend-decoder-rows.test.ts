// BackendDecoder.nextDataRow (DataRows read in place, the connection's hot path) against next():
// the same rows, the same other messages, the same errors on hostile bytes.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BackendDecoder, type DataRowSink } from '../../src/protocol/index.js'
import {
  backendMessage,
  corrupt,
  cuts,
  detach,
  encodeBackendStream,
  mutations,
  split,
} from './protocol-arbitraries.js'

/** Drains `d`, DataRows through nextDataRow; rows as copied value lists, other messages detached. */
function drainInPlace(d: BackendDecoder, out: unknown[]): void {
  const sink: DataRowSink = {
    dataRow(bytes, fields, count) {
      const values: (Uint8Array | null)[] = []
      for (let i = 0; i < count; i++) {
        const start = fields[2 * i]!
        const n = fields[2 * i + 1]!
        values.push(n < 0 ? null : bytes.slice(start, start + n))
      }
      out.push({ type: 'DataRow', values })
    },
  }
  for (;;) {
    if (d.nextDataRow(sink)) continue
    const m = d.next()
    if (m === undefined) return
    out.push(detach(m))
  }
}

/** What feeding `chunks` gives: the messages, then the error message if one was thrown. */
function outcome(chunks: Uint8Array[], inPlace: boolean): unknown[] {
  const d = new BackendDecoder()
  const out: unknown[] = []
  try {
    for (const chunk of chunks) {
      d.push(chunk)
      if (inPlace) drainInPlace(d, out)
      else for (let m = d.next(); m !== undefined; m = d.next()) out.push(detach(m))
    }
  } catch (err) {
    out.push({ error: (err as Error).message })
    // A failed decoder stays failed, whichever way it is read.
    expect(() => (inPlace ? d.nextDataRow({ dataRow() {} }) : d.next())).toThrow(/earlier error/)
  }
  return out
}

describe('BackendDecoder.nextDataRow', () => {
  it('reads any valid stream, re-chunked anywhere, as next() does', () => {
    fc.assert(
      fc.property(fc.array(backendMessage, { maxLength: 12 }), cuts, (messages, points) => {
        const chunks = split(encodeBackendStream(messages), points)
        expect(outcome(chunks, true)).toEqual(outcome(chunks, false))
        expect(outcome(chunks, true)).toEqual(messages.map(detach))
      }),
      { numRuns: 250 },
    )
  })

  it('fails on corrupted streams exactly where and how next() fails', () => {
    fc.assert(
      fc.property(
        fc.array(backendMessage, { minLength: 1, maxLength: 6 }),
        mutations,
        fc.option(fc.nat()),
        cuts,
        (messages, edits, cut, points) => {
          const chunks = split(corrupt(encodeBackendStream(messages), edits, cut), points)
          expect(outcome(chunks, true)).toEqual(outcome(chunks, false))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('leaves other message types and partial rows to next()', () => {
    const d = new BackendDecoder()
    const sink: DataRowSink = {
      dataRow() {
        throw new Error('not a DataRow')
      },
    }
    d.push(Uint8Array.of(0x5a, 0, 0, 0, 5, 0x49, 0x44, 0, 0, 0))
    expect(d.nextDataRow(sink)).toBe(false)
    expect(d.next()).toEqual({ type: 'ReadyForQuery', status: 'I' })
    expect(d.nextDataRow(sink)).toBe(false)
    expect(d.bufferedBytes).toBe(4)
  })
})
