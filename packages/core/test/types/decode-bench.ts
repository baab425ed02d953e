/**
 * Micro-benchmark behind `prefersBinary`: ns per value to decode text vs binary, per type.
 * Not a test (timing is never asserted): `pnpm exec tsx test/types/decode-bench.ts`.
 */
import fc from 'fast-check'
import { defaultTypes, type TypeRegistry } from '../../src/types/index.js'
import { utf8Encode } from '../../src/types/utf8.js'
import { typeArbitraries } from './arbitraries.js'

const TYPES = [
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'text',
  'varchar',
  'json',
  'jsonb',
  'uuid',
  'bytea',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'inet',
  'point',
  'int4range',
  'tstzrange',
  'int4[]',
  'int8[]',
  'text[]',
  'float8[]',
  'timestamptz[]',
  'uuid[]',
]

/** Median ns per call of `decode` over `inputs`, from runs of about 40 ms each. */
function measure(decode: (b: Uint8Array) => unknown, inputs: Uint8Array[]): number {
  let sink = 0
  let calls = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < 40) {
    for (const b of inputs) {
      if (decode(b) !== undefined) sink++
    }
    calls += inputs.length
    elapsed = performance.now() - start
  }
  if (sink < 0) console.log(sink)
  return (elapsed * 1e6) / calls
}

/** Medians of text and binary, measured in alternation so neither runs first throughout. */
function compare(
  text: [(b: Uint8Array) => unknown, Uint8Array[]],
  binary: [(b: Uint8Array) => unknown, Uint8Array[]],
): [number, number] {
  const a: number[] = []
  const b: number[] = []
  for (let r = 0; r < 9; r++) {
    if (r % 2 === 0) {
      a.push(measure(...text))
      b.push(measure(...binary))
    } else {
      b.push(measure(...binary))
      a.push(measure(...text))
    }
  }
  const median = (x: number[]) => x.sort((p, q) => p - q)[Math.floor(x.length / 2)]!
  return [median(a), median(b)]
}

/** A benchmark case: a label, the type's arbitrary name, a registry, and how to sample. */
interface Case {
  label: string
  type: string
  registry: TypeRegistry
  sample: fc.Arbitrary<unknown>
}

function arb(name: string): fc.Arbitrary<unknown> {
  const t = typeArbitraries.find((x) => x.name === name)
  if (!t) throw new Error(`no arbitrary for ${name}`)
  return t.arbitrary
}

const cases: Case[] = TYPES.map((name) => ({
  label: name,
  type: name,
  registry: defaultTypes,
  sample: name.endsWith('[]')
    ? fc.array(arb(name.slice(0, -2)), { minLength: 10, maxLength: 10 })
    : arb(name),
}))
cases.push(
  {
    label: 'bytea 1 KiB',
    type: 'bytea',
    registry: defaultTypes,
    sample: fc.uint8Array({ minLength: 1024, maxLength: 1024 }),
  },
  {
    label: 'int8 (number)',
    type: 'int8',
    registry: defaultTypes.extend({ int8: 'number' }),
    sample: fc.integer().map(BigInt),
  },
  {
    label: 'int8 (string)',
    type: 'int8',
    registry: defaultTypes.extend({ int8: 'string' }),
    sample: arb('int8'),
  },
  {
    label: 'date (date)',
    type: 'date',
    registry: defaultTypes.extend({ dates: 'date' }),
    sample: fc.integer({ min: -700000, max: 700000 }).map((d) => new Date(d * 86400000)),
  },
  {
    label: 'timestamptz (string)',
    type: 'timestamptz',
    registry: defaultTypes.extend({ timestamps: 'string' }),
    sample: arb('timestamptz'),
  },
)

const rows: string[] = []
for (const c of cases) {
  const t = typeArbitraries.find((x) => x.name === c.type)!
  const codec = c.registry.codec(t.oid)
  const sample = fc.sample(c.sample, { numRuns: 500, seed: 1 })
  const text = sample.map((v) => utf8Encode(codec.encodeText(v)))
  const binary = sample.map((v) => codec.encodeBinary!(v))
  const [t0, t1] = compare(
    [c.registry.decoder(t.oid, 0), text],
    [c.registry.decoder(t.oid, 1), binary],
  )
  rows.push(
    `${c.label.padEnd(22)} text ${t0.toFixed(0).padStart(6)} ns   binary ${t1.toFixed(0).padStart(6)} ns   faster: ${t1 < t0 ? 'binary' : 'text  '}  prefersBinary=${c.registry.prefersBinary(t.oid)}`,
  )
}
console.log(`Node ${process.version} ${process.arch}`)
console.log(rows.join('\n'))
