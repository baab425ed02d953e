// The column decoders (what query results decode with: a range of the row's buffer, no view per
// value) give what decoder() gives for the same bytes, values and errors alike, for every type.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DataError } from '../../src/errors/index.js'
import { defaultTypes, OID } from '../../src/types/index.js'
import { typeArbitraries, valuesEqual } from './arbitraries.js'
import { utf8 } from './helpers.js'

const RUNS = 150

/** `bytes` inside a larger buffer, with `filler` bytes (a digit, a sign) before and after it. */
function embedded(
  bytes: Uint8Array,
  filler: number,
): { buf: Uint8Array; start: number; end: number } {
  const buf = new Uint8Array(bytes.length + 7).fill(filler)
  buf.set(bytes, 3)
  return { buf, start: 3, end: 3 + bytes.length }
}

/** The value or the error message of `fn()`. */
function outcome(fn: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: fn() }
  } catch (err) {
    return { error: err instanceof DataError ? err.message : `not a DataError: ${String(err)}` }
  }
}

/** Decodes `bytes` both ways and checks they agree. */
function agree(oid: number, format: 0 | 1, bytes: Uint8Array, equals = valuesEqual): boolean {
  const whole = outcome(() => defaultTypes.decoder(oid, format)(bytes))
  const column = defaultTypes.columnDecoder(oid, format)
  for (const filler of [0x37, 0x2d]) {
    const { buf, start, end } = embedded(bytes, filler)
    const ranged = outcome(() => column.decode(buf, start, end))
    if ('error' in whole || 'error' in ranged) expect(ranged).toEqual(whole)
    else if (!equals(whole.value, ranged.value)) return false
  }
  return true
}

describe('column decoders agree with decoder()', () => {
  for (const t of typeArbitraries) {
    const codec = defaultTypes.codec(t.oid)
    const equals = t.equals ?? valuesEqual

    it(`${t.name}: text`, () => {
      fc.assert(
        fc.property(t.arbitrary, (v) => agree(t.oid, 0, utf8(codec.encodeText(v)), equals)),
        { numRuns: RUNS },
      )
    })

    if (!t.textOnly) {
      it(`${t.name}: binary`, () => {
        fc.assert(
          fc.property(t.arbitrary, (v) => agree(t.oid, 1, codec.encodeBinary!(v), equals)),
          { numRuns: RUNS },
        )
      })
    }

    it(`${t.name}: arbitrary bytes, values or errors alike`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 24 }), fc.constantFrom<0 | 1>(0, 1), (b, f) =>
          agree(t.oid, f, b, equals),
        ),
        { numRuns: 100 },
      )
    })
  }

  it('names its type for the column context', () => {
    expect(defaultTypes.columnDecoder(OID.int4, 0).typeName).toBe('int4')
    expect(defaultTypes.columnDecoder(OID.timestamptz, 1).typeName).toBe('timestamptz')
  })
})

describe('text fast paths match the string parsers', () => {
  it('float8: plain decimals of up to 15 digits equal Number(text)', () => {
    const text = fc.oneof(
      fc.double({ noNaN: true }).map((d) => String(d)),
      fc
        .tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 8 }))
        .map(([n, k]) => (n / 10 ** k).toFixed(k)),
      fc.stringMatching(/^-?[0-9]{0,9}(\.[0-9]{0,9})?$/),
    )
    fc.assert(
      fc.property(text, (s) => agree(OID.float8, 0, utf8(s))),
      { numRuns: 2000 },
    )
    for (const s of ['-0', '0.0', '-0.0', '.5', '-.5', '5.', '1.2.3', '', '-', '+1', ' 1', '1e5']) {
      expect(agree(OID.float8, 0, utf8(s))).toBe(true)
    }
  })

  it('timestamp and timestamptz: the common shapes equal the string parser', () => {
    const two = (n: number) => String(n).padStart(2, '0')
    const text = fc
      .record({
        year: fc.integer({ min: 0, max: 10999 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        sep: fc.constantFrom(' ', 'T', '_'),
        h: fc.integer({ min: 0, max: 99 }),
        m: fc.integer({ min: 0, max: 59 }),
        s: fc.integer({ min: 0, max: 60 }),
        frac: fc.stringMatching(/^(\.[0-9]{0,7})?$/),
        offset: fc.stringMatching(/^([+-][0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2})?)?)?$/),
        tail: fc.constantFrom('', '', '', ' BC', 'x', ':'),
      })
      .map(
        (r) =>
          `${String(r.year).padStart(4, '0')}-${two(r.month)}-${two(r.day)}${r.sep}${two(r.h)}:${two(r.m)}:${two(r.s)}${r.frac}${r.offset}${r.tail}`,
      )
    fc.assert(
      fc.property(text, fc.boolean(), (s, zone) =>
        agree(zone ? OID.timestamptz : OID.timestamp, 0, utf8(s)),
      ),
      { numRuns: 3000 },
    )
  })
})
