import { describe, expect, it } from 'vitest'
import { prismaArgument } from './arguments.js'
import { moneyText, timestampText, timestamptzText, timetzText } from './column-types.js'

describe('result text for Prisma', () => {
  it('puts timestamptz text in UTC, keeping the microseconds', () => {
    expect(timestamptzText('2024-01-02 03:04:05.123456+00')).toBe(
      '2024-01-02T03:04:05.123456+00:00',
    )
    expect(timestamptzText('2024-01-02 03:04:05+05:30')).toBe('2024-01-01T21:34:05+00:00')
    expect(timestamptzText('2024-01-01 22:00:00.5-02:30')).toBe('2024-01-02T00:30:00.5+00:00')
    expect(timestamptzText('1883-11-18 11:59:59-04:56:02')).toBe('1883-11-18T16:56:01+00:00')
    expect(timestamptzText('0050-06-01 00:00:00+01')).toBe('0050-05-31T23:00:00+00:00')
    expect(timestamptzText('infinity')).toBe('infinity')
    expect(timestamptzText('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC')
  })

  it('converts UTC timestamptz text without the general path, to the same result', () => {
    expect(timestamptzText('2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05+00:00')
    expect(timestamptzText('2024-01-02 03:04:05.1+00')).toBe('2024-01-02T03:04:05.1+00:00')
    expect(timestamptzText('9999-12-31 23:59:59.999999+00')).toBe(
      '9999-12-31T23:59:59.999999+00:00',
    )
    // Not the fast path's shape: a five-digit year, an empty fraction, seconds in the offset.
    expect(timestamptzText('12024-01-02 03:04:05+00')).toBe('12024-01-02T03:04:05+00:00')
    expect(timestamptzText('2024-01-02 03:04:05.+00')).toBe('2024-01-02 03:04:05.+00')
    expect(timestamptzText('2024-01-02 03:04:05+00:00:30')).toBe('2024-01-02T03:03:35+00:00')
    expect(timestamptzText('2024-01-02T03:04:05+00')).toBe('2024-01-02T03:04:05+00')
  })

  it('marks timestamp text as UTC', () => {
    expect(timestampText('2024-01-02 03:04:05.5')).toBe('2024-01-02T03:04:05.5+00:00')
    expect(timestampText('-infinity')).toBe('-infinity')
  })

  it('drops the offset of timetz and the currency of money', () => {
    expect(timetzText('01:02:03.5+05:30')).toBe('01:02:03.5')
    expect(timetzText('01:02:03-08')).toBe('01:02:03')
    expect(moneyText('$1,234.50')).toBe('1234.50')
    expect(moneyText('-$0.01')).toBe('-0.01')
  })
})

describe('Prisma arguments', () => {
  const at = '2024-03-10T23:45:06.789Z'
  it('sends date-times in UTC with an explicit zone, by column type', () => {
    expect(prismaArgument(at, { scalarType: 'datetime', arity: 'scalar' })).toBe(
      '2024-03-10 23:45:06.789+00',
    )
    expect(
      prismaArgument(new Date(at), { scalarType: 'datetime', arity: 'scalar', dbType: 'DATE' }),
    ).toBe('2024-03-10')
    expect(prismaArgument(at, { scalarType: 'datetime', arity: 'scalar', dbType: 'TIME' })).toBe(
      '23:45:06.789',
    )
    expect(prismaArgument(at, { scalarType: 'datetime', arity: 'scalar', dbType: 'TIMETZ' })).toBe(
      '23:45:06.789+00',
    )
    expect(
      prismaArgument('2024-03-10T00:00:00Z', { scalarType: 'datetime', arity: 'scalar' }),
    ).toBe('2024-03-10 00:00:00+00')
  })

  it('decodes base64 bytes, keeps lists and nulls', () => {
    expect(prismaArgument('AAH/', { scalarType: 'bytes', arity: 'scalar' })).toEqual(
      new Uint8Array([0, 1, 255]),
    )
    expect(prismaArgument([at, null], { scalarType: 'datetime', arity: 'list' })).toEqual([
      '2024-03-10 23:45:06.789+00',
      null,
    ])
    expect(prismaArgument(undefined, { scalarType: 'int', arity: 'scalar' })).toBeNull()
    expect(prismaArgument('12', { scalarType: 'int', arity: 'scalar' })).toBe('12')
  })
})
