// fast-check properties: for every type in arbitraries.ts, encoding a random value and decoding it
// gives the value back, in text and in binary, and through encodeParameter and decoder().
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultTypes, Interval } from '../../src/types/index.js'
import { parseIntervalText } from '../../src/types/interval.js'
import { intervalValue, typeArbitraries, valuesEqual } from './arbitraries.js'
import { utf8 } from './helpers.js'

const RUNS = 150

describe('every type round-trips through its codec', () => {
  for (const t of typeArbitraries) {
    const codec = defaultTypes.codec(t.oid)
    const equals = t.equals ?? valuesEqual
    const decodeText = defaultTypes.decoder(t.oid, 0)
    const decodeBinary = defaultTypes.decoder(t.oid, 1)

    it(`${t.name}: text encode → decode`, () => {
      fc.assert(
        fc.property(t.arbitrary, (v) => {
          const text = codec.encodeText(v)
          if (equals(v, decodeText(utf8(text)))) return true
          // Say whether the same value passes a second time (a nondeterministic failure) and
          // what the text was, so a failure seen once in CI can be told apart.
          const again = equals(v, decodeText(utf8(codec.encodeText(v))))
          throw new Error(
            `round trip differs; encoded text ${JSON.stringify(text)}; same value again: ${again ? 'equal' : 'differs'}`,
          )
        }),
        { numRuns: RUNS },
      )
    })

    if (!t.textOnly) {
      it(`${t.name}: binary encode → decode`, () => {
        expect(codec.encodeBinary).toBeDefined()
        fc.assert(
          fc.property(t.arbitrary, (v) => equals(v, decodeBinary(codec.encodeBinary!(v)))),
          { numRuns: RUNS },
        )
      })
    }

    it(`${t.name}: encodeParameter → decoder of the format it chose`, () => {
      fc.assert(
        fc.property(t.arbitrary, (v) => {
          const p = defaultTypes.encodeParameter(v, t.oid, 0)
          if (p.value === null) return v === null
          const bytes = typeof p.value === 'string' ? utf8(p.value) : p.value
          return equals(v, defaultTypes.decoder(t.oid, p.format)(bytes))
        }),
        { numRuns: RUNS },
      )
    })
  }
})

describe('interval text styles', () => {
  it('reads back what Interval.toString() prints (the postgres IntervalStyle)', () => {
    fc.assert(
      fc.property(intervalValue, (i) => {
        const back = parseIntervalText(i.toString())
        return back instanceof Interval && valuesEqual(back, i)
      }),
      { numRuns: 300 },
    )
  })
})

describe('parameters of server-inferred type', () => {
  it('never throws anything but an InterfaceError, whatever the value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withTypedArray: true,
          withMap: true,
          withSet: true,
        }),
        (v) => {
          try {
            defaultTypes.encodeParameter(v, 0, 0)
          } catch (err) {
            expect((err as Error).name).toBe('InterfaceError')
            expect((err as Error).message).toMatch(/^cannot encode parameter \$1: /)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
