// Scalar codecs against fixtures taken from PostgreSQL 18: the text each value prints (psql) and
// the bytes its `*_send` function returns, decoded by both paths and re-encoded.
import { describe, expect, it } from 'vitest'
import { DataError } from '../../src/errors/index.js'
import { defaultTypes, OID } from '../../src/types/index.js'
import { valuesEqual } from './arbitraries.js'
import { fromBinary, fromText, hex, toHex, utf8 } from './helpers.js'

interface Fixture {
  /** The SQL the fixture was read from. */
  sql: string
  oid: number
  text: string
  /** `<type>_send(value)` as hex. */
  binary: string
  value: unknown
  /** The binary parameter encoding gives these bytes (default: `binary`). */
  encodes?: boolean
}

const fixtures: Fixture[] = [
  { sql: 'true', oid: OID.bool, text: 't', binary: '01', value: true },
  { sql: 'false', oid: OID.bool, text: 'f', binary: '00', value: false },
  { sql: '(-32768)::int2', oid: OID.int2, text: '-32768', binary: '8000', value: -32768 },
  { sql: '-2::int4', oid: OID.int4, text: '-2', binary: 'fffffffe', value: -2 },
  {
    sql: '(-2147483648)::int4',
    oid: OID.int4,
    text: '-2147483648',
    binary: '80000000',
    value: -2147483648,
  },
  { sql: '1::int8', oid: OID.int8, text: '1', binary: '0000000000000001', value: 1n },
  {
    sql: '9223372036854775807::int8',
    oid: OID.int8,
    text: '9223372036854775807',
    binary: '7fffffffffffffff',
    value: 9223372036854775807n,
  },
  {
    sql: '(-9223372036854775808)::int8',
    oid: OID.int8,
    text: '-9223372036854775808',
    binary: '8000000000000000',
    value: -9223372036854775808n,
  },
  { sql: '12345::oid', oid: OID.oid, text: '12345', binary: '00003039', value: 12345 },
  { sql: "'NaN'::float4", oid: OID.float4, text: 'NaN', binary: '7fc00000', value: Number.NaN },
  {
    sql: "'Infinity'::float4",
    oid: OID.float4,
    text: 'Infinity',
    binary: '7f800000',
    value: Number.POSITIVE_INFINITY,
  },
  { sql: '0.1::float4', oid: OID.float4, text: '0.1', binary: '3dcccccd', value: 0.1 },
  { sql: "'-0'::float8", oid: OID.float8, text: '-0', binary: '8000000000000000', value: -0 },
  {
    sql: "'-Infinity'::float8",
    oid: OID.float8,
    text: '-Infinity',
    binary: 'fff0000000000000',
    value: Number.NEGATIVE_INFINITY,
  },
  {
    sql: '1e300::float8',
    oid: OID.float8,
    text: '1e+300',
    binary: '7e37e43c8800759c',
    value: 1e300,
  },
  { sql: '0.1::float8', oid: OID.float8, text: '0.1', binary: '3fb999999999999a', value: 0.1 },
  {
    sql: '123.45::numeric',
    oid: OID.numeric,
    text: '123.45',
    binary: '0002000000000002007b1194',
    value: '123.45',
  },
  {
    sql: "'-0.0001'::numeric",
    oid: OID.numeric,
    text: '-0.0001',
    binary: '0001ffff400000040001',
    value: '-0.0001',
  },
  {
    sql: '1e20::numeric',
    oid: OID.numeric,
    text: '100000000000000000000',
    binary: '00010005000000000001',
    value: '100000000000000000000',
  },
  { sql: '0::numeric', oid: OID.numeric, text: '0', binary: '0000000000000000', value: '0' },
  {
    sql: "'NaN'::numeric",
    oid: OID.numeric,
    text: 'NaN',
    binary: '00000000c0000000',
    value: 'NaN',
  },
  {
    sql: "'Infinity'::numeric",
    oid: OID.numeric,
    text: 'Infinity',
    binary: '00000000d0000020',
    value: 'Infinity',
  },
  {
    sql: "'-Infinity'::numeric",
    oid: OID.numeric,
    text: '-Infinity',
    binary: '00000000f0000020',
    value: '-Infinity',
  },
  { sql: "'hello'::text", oid: OID.text, text: 'hello', binary: '68656c6c6f', value: 'hello' },
  { sql: "'ab  '::char(4)", oid: OID.bpchar, text: 'ab  ', binary: '61622020', value: 'ab  ' },
  { sql: '\'a\'::"char"', oid: OID.char, text: 'a', binary: '61', value: 'a' },
  {
    sql: "'\\x00ff41'::bytea",
    oid: OID.bytea,
    text: '\\x00ff41',
    binary: '00ff41',
    value: hex('00ff41'),
  },
  {
    sql: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
    oid: OID.uuid,
    text: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    binary: 'a0eebc999c0b4ef8bb6d6bb9bd380a11',
    value: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  },
  {
    sql: `'{"a":1}'::jsonb`,
    oid: OID.jsonb,
    text: '{"a": 1}',
    binary: '017b2261223a20317d',
    value: { a: 1 },
    encodes: false,
  },
  {
    sql: `'{"a":[1,2]}'::json`,
    oid: OID.json,
    text: '{"a":[1,2]}',
    binary: '7b2261223a5b312c325d7d',
    value: { a: [1, 2] },
  },
  {
    sql: "'$.a'::jsonpath",
    oid: OID.jsonpath,
    text: '$."a"',
    binary: '01242e226122',
    value: '$."a"',
  },
  {
    sql: "'192.168.1.5/24'::inet",
    oid: OID.inet,
    text: '192.168.1.5/24',
    binary: '02180004c0a80105',
    value: '192.168.1.5/24',
  },
  {
    sql: "'10.1/16'::cidr",
    oid: OID.cidr,
    text: '10.1.0.0/16',
    binary: '021001040a010000',
    value: '10.1.0.0/16',
  },
  {
    sql: "'::1'::inet",
    oid: OID.inet,
    text: '::1',
    binary: '0380001000000000000000000000000000000001',
    value: '::1',
  },
  {
    sql: "'08:00:2b:01:02:03'::macaddr",
    oid: OID.macaddr,
    text: '08:00:2b:01:02:03',
    binary: '08002b010203',
    value: '08:00:2b:01:02:03',
  },
  {
    sql: "'08:00:2b:01:02:03:04:05'::macaddr8",
    oid: OID.macaddr8,
    text: '08:00:2b:01:02:03:04:05',
    binary: '08002b0102030405',
    value: '08:00:2b:01:02:03:04:05',
  },
  { sql: "B'1010'", oid: OID.bit, text: '1010', binary: '00000004a0', value: '1010' },
  {
    sql: "B'101010101'::varbit",
    oid: OID.varbit,
    text: '101010101',
    binary: '00000009aa80',
    value: '101010101',
  },
  {
    sql: "'(1,2)'::point",
    oid: OID.point,
    text: '(1,2)',
    binary: '3ff00000000000004000000000000000',
    value: { x: 1, y: 2 },
  },
  {
    sql: "'{1,2,3}'::line",
    oid: OID.line,
    text: '{1,2,3}',
    binary: '3ff000000000000040000000000000004008000000000000',
    value: { a: 1, b: 2, c: 3 },
  },
  {
    sql: "'(1,2),(3,4)'::box",
    oid: OID.box,
    text: '(3,4),(1,2)',
    binary: '400800000000000040100000000000003ff00000000000004000000000000000',
    value: [
      { x: 3, y: 4 },
      { x: 1, y: 2 },
    ],
  },
  {
    sql: "'[(1,2),(3,4)]'::path",
    oid: OID.path,
    text: '[(1,2),(3,4)]',
    binary: '00000000023ff0000000000000400000000000000040080000000000004010000000000000',
    value: {
      closed: false,
      points: [
        { x: 1, y: 2 },
        { x: 3, y: 4 },
      ],
    },
  },
  {
    sql: "'((1,2),(3,4))'::polygon",
    oid: OID.polygon,
    text: '((1,2),(3,4))',
    binary: '000000023ff0000000000000400000000000000040080000000000004010000000000000',
    value: [
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ],
  },
  {
    sql: "'<(1,2),3>'::circle",
    oid: OID.circle,
    text: '<(1,2),3>',
    binary: '3ff000000000000040000000000000004008000000000000',
    value: { x: 1, y: 2, radius: 3 },
  },
  { sql: "'(1,2)'::tid", oid: OID.tid, text: '(1,2)', binary: '000000010002', value: '(1,2)' },
  {
    sql: "'16/B374D848'::pg_lsn",
    oid: OID.pg_lsn,
    text: '16/B374D848',
    binary: '00000016b374d848',
    value: '16/B374D848',
  },
  {
    sql: "'1 2'::int2vector",
    oid: OID.int2vector,
    text: '1 2',
    binary: '0000000100000000000000150000000200000000000000020001000000020002',
    value: [1, 2],
  },
  { sql: "'5'::xid8", oid: OID.xid8, text: '5', binary: '0000000000000005', value: 5n },
]

describe('scalar codecs on PostgreSQL 18 fixtures', () => {
  for (const f of fixtures) {
    it(`decodes ${f.sql} from text ${JSON.stringify(f.text)}`, () => {
      expect(valuesEqual(fromText(f.oid, f.text), f.value)).toBe(true)
    })
    it(`decodes ${f.sql} from binary ${f.binary}`, () => {
      expect(valuesEqual(fromBinary(f.oid, f.binary), f.value)).toBe(true)
    })
    if (f.encodes !== false) {
      it(`encodes ${f.sql} to the bytes the server sends`, () => {
        const bytes = defaultTypes.codec(f.oid).encodeBinary?.(f.value)
        expect(bytes && toHex(bytes)).toBe(f.binary)
      })
    }
  }
})

describe('numeric', () => {
  it('keeps 1000-digit integers and 500-digit fractions exactly, both formats', () => {
    const big = '9'.repeat(1000)
    const small = `0.${'0'.repeat(500)}1`
    for (const v of [big, `-${big}`, small, `${big}.${'1'.repeat(999)}`]) {
      const codec = defaultTypes.codec(OID.numeric)
      expect(fromText(OID.numeric, v)).toBe(v)
      expect(codec.decodeBinary!(codec.encodeBinary!(v))).toBe(v)
    }
  })

  it('keeps the scale of trailing zeros (0.000, 1.50)', () => {
    const codec = defaultTypes.codec(OID.numeric)
    for (const v of ['0.000', '1.50', '-12.3400', '10000', '0.0001']) {
      expect(codec.decodeBinary!(codec.encodeBinary!(v))).toBe(v)
    }
  })

  it('reads exponent forms when encoding (1e+21, 1.5e-3) as numeric_in does', () => {
    const codec = defaultTypes.codec(OID.numeric)
    expect(codec.decodeBinary!(codec.encodeBinary!(1e21))).toBe('1000000000000000000000')
    expect(codec.decodeBinary!(codec.encodeBinary!('1.5e-3'))).toBe('0.0015')
    expect(codec.decodeBinary!(codec.encodeBinary!('1.50e1'))).toBe('15.0')
  })

  it('returns numbers with numeric: "number"', () => {
    const r = defaultTypes.extend({ numeric: 'number' })
    expect(fromText(OID.numeric, '123.45', r)).toBe(123.45)
    expect(fromBinary(OID.numeric, '0002000000000002007b1194', r)).toBe(123.45)
    expect(fromText(OID.numeric, 'NaN', r)).toBeNaN()
  })

  it('rejects a truncated binary numeric with a DataError naming the type', () => {
    expect(() => fromBinary(OID.numeric, '000200000000')).toThrow(DataError)
    expect(() => fromBinary(OID.numeric, '0002000000000002007b')).toThrow(/numeric/)
  })
})

describe('int8 mapping', () => {
  it('returns bigint by default, number or string on request', () => {
    expect(fromText(OID.int8, '42')).toBe(42n)
    expect(fromText(OID.int8, '42', defaultTypes.extend({ int8: 'number' }))).toBe(42)
    expect(fromBinary(OID.int8, '000000000000002a', defaultTypes.extend({ int8: 'number' }))).toBe(
      42,
    )
    expect(
      fromText(OID.int8, '-9223372036854775808', defaultTypes.extend({ int8: 'string' })),
    ).toBe('-9223372036854775808')
    expect(fromBinary(OID.int8, '8000000000000000', defaultTypes.extend({ int8: 'string' }))).toBe(
      '-9223372036854775808',
    )
  })

  it('throws a DataError, never rounds, past Number.MAX_SAFE_INTEGER with int8: "number"', () => {
    const r = defaultTypes.extend({ int8: 'number' })
    expect(fromText(OID.int8, '9007199254740991', r)).toBe(9007199254740991)
    expect(fromText(OID.int8, '-9007199254740991', r)).toBe(-9007199254740991)
    expect(() => fromText(OID.int8, '9007199254740992', r)).toThrow(DataError)
    expect(() => fromText(OID.int8, '-9223372036854775808', r)).toThrow(/MAX_SAFE_INTEGER/)
    expect(fromBinary(OID.int8, '001fffffffffffff', r)).toBe(9007199254740991)
    expect(() => fromBinary(OID.int8, '0020000000000000', r)).toThrow(DataError)
    expect(() => fromBinary(OID.int8, 'ffe0000000000000', r)).toThrow(DataError)
  })

  it('decodes bigints beyond 2^53 exactly in both formats', () => {
    expect(fromText(OID.int8, '9007199254740993')).toBe(9007199254740993n)
    expect(fromBinary(OID.int8, '0020000000000001')).toBe(9007199254740993n)
    expect(fromBinary(OID.int8, 'ffdfffffffffffff')).toBe(-9007199254740993n)
  })
})

describe('integers and floats', () => {
  it('rejects malformed text and wrong binary lengths with a DataError naming the type', () => {
    expect(() => fromText(OID.int4, '12a')).toThrow(/int4/)
    expect(() => fromText(OID.int4, '')).toThrow(DataError)
    expect(() => fromBinary(OID.int4, '000001')).toThrow(/expected 4 bytes/)
    expect(() => fromText(OID.float8, 'abc')).toThrow(/float8/)
    expect(() => fromText(OID.bool, 'x')).toThrow(DataError)
  })

  it('keeps -0, NaN and ±Infinity through float8 text and binary encoders', () => {
    const codec = defaultTypes.codec(OID.float8)
    for (const v of [
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      5e-324,
      1.7976931348623157e308,
    ]) {
      expect(Object.is(fromText(OID.float8, codec.encodeText(v)), v)).toBe(true)
      expect(Object.is(codec.decodeBinary!(codec.encodeBinary!(v)), v)).toBe(true)
    }
  })
})

describe('text', () => {
  it('decodes a character from every Unicode plane in both formats', () => {
    const planes = Array.from({ length: 17 }, (_, p) =>
      String.fromCodePoint(p * 0x10000 + 0x41),
    ).join('')
    const s = `a\u00e9\u4e2d${planes}\u{1f600}`
    expect(fromText(OID.text, s)).toBe(s)
    expect(defaultTypes.decoder(OID.text, 1)(utf8(s))).toBe(s)
  })

  it('keeps a leading byte order mark and turns invalid UTF-8 into U+FFFD, in a row too', () => {
    const bom = '\ufeffstarts with a byte order mark'
    expect(fromText(OID.text, bom)).toBe(bom)
    const row = new Uint8Array([0x41, ...utf8(bom), 0xff, 0x61, 0xc3, 0x42])
    const column = defaultTypes.columnDecoder(OID.text, 0)
    expect(column.decode(row, 1, 1 + utf8(bom).length)).toBe(bom)
    expect(column.decode(row, row.length - 4, row.length)).toBe('\ufffda\ufffdB')
  })
})

describe('bytea', () => {
  it('decodes hex and the legacy escape format to a copy the caller owns', () => {
    const source = utf8('\\x00ff41')
    const value = defaultTypes.decoder(OID.bytea, 0)(source) as Uint8Array
    expect(toHex(value)).toBe('00ff41')
    // bytea_output = escape: \000\377A'\\
    expect(toHex(fromText(OID.bytea, "\\000\\377A'\\\\") as Uint8Array)).toBe('00ff41275c')
    const view = hex('0000ff00')
    const copy = defaultTypes.decoder(OID.bytea, 1)(view.subarray(1, 3)) as Uint8Array
    view.fill(7)
    expect(toHex(copy)).toBe('00ff')
  })

  it('copies binary bytea out of a Node Buffer into a plain Uint8Array of its own', () => {
    // Socket chunks are Buffers, and Buffer's slice() is a view: the value must still be a copy.
    const chunk = Buffer.from('00000000ff410000', 'hex')
    const value = defaultTypes.decoder(OID.bytea, 1)(chunk.subarray(3, 6)) as Uint8Array
    chunk.fill(7)
    expect(toHex(value)).toBe('00ff41')
    expect(value.constructor).toBe(Uint8Array)
    expect(value.buffer.byteLength).toBe(3)
  })

  it('keeps NUL bytes and empty values', () => {
    const codec = defaultTypes.codec(OID.bytea)
    const bytes = Uint8Array.of(0, 0, 1, 0)
    expect(codec.encodeText(bytes)).toBe('\\x00000100')
    expect(toHex(fromText(OID.bytea, '\\x00000100') as Uint8Array)).toBe('00000100')
    expect((fromText(OID.bytea, '\\x') as Uint8Array).length).toBe(0)
    expect((fromText(OID.bytea, '') as Uint8Array).length).toBe(0)
  })

  it('rejects bad hex and bad escapes with a DataError', () => {
    expect(() => fromText(OID.bytea, '\\x0g')).toThrow(DataError)
    expect(() => fromText(OID.bytea, '\\x0')).toThrow(DataError)
    expect(() => fromText(OID.bytea, '\\9')).toThrow(/escape/)
  })
})

describe('network', () => {
  it('prints IPv6 binary values as inet_out does (zero runs, IPv4 tails)', () => {
    const cases: [string, string][] = [
      ['00000000000000000000000000000000', '::'],
      ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
      ['00000000000000000000000001020304', '::1.2.3.4'],
      ['00000000000000000000000000000002', '::2'],
      ['00000000000000000000000000010000', '::0.1.0.0'],
      ['00010000000000000000000000000000', '1::'],
      ['00010000000000020000000000000003', '1:0:0:2::3'],
      ['00010000000200000003000000040000', '1:0:2:0:3:0:4:0'],
      ['00000000000100000000000100000000', '::1:0:0:1:0:0'],
      ['00ff000000000000000000ff01020304', 'ff::ff:102:304'],
    ]
    for (const [addr, text] of cases) {
      const bytes = `03800010${addr}`
      expect(fromBinary(OID.inet, bytes)).toBe(text)
    }
    expect(fromBinary(OID.cidr, '03200110' + '20010db8' + '0'.repeat(24))).toBe('2001:db8::/32')
    expect(fromBinary(OID.inet, '03400010' + '20010db8' + '0'.repeat(22) + '01')).toBe(
      '2001:db8::1/64',
    )
    expect(fromBinary(OID.cidr, '02200104c0a80105')).toBe('192.168.1.5/32')
  })
})

describe('money, reg* and void', () => {
  it('returns money text as the server formats it and binary as a plain decimal', () => {
    expect(fromText(OID.money, '-$1,234,567.89')).toBe('-$1,234,567.89')
    expect(fromBinary(OID.money, 'fffffffff8a432eb')).toBe('-1234567.89')
    expect(fromBinary(OID.money, '00000000000004ce')).toBe('12.30')
    expect(fromBinary(OID.money, '0000000000000005')).toBe('0.05')
  })

  it('returns reg* names in text and OIDs in binary', () => {
    expect(fromText(OID.regclass, 'pg_class')).toBe('pg_class')
    expect(fromBinary(OID.regclass, '000004eb')).toBe(1259)
  })

  it('decodes void as null', () => {
    expect(fromText(OID.void, '')).toBeNull()
  })
})
