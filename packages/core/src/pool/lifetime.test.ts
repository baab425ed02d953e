import { describe, expect, it } from 'vitest'
import { lifetimeExpiry } from './lifetime.js'

describe('lifetimeExpiry', () => {
  const created = 1_000_000
  const life = 60_000

  it('spreads expiries over maxLifetime ±10 %', () => {
    expect(lifetimeExpiry(created, life, () => 0)).toBe(created + 54_000)
    expect(lifetimeExpiry(created, life, () => 0.5)).toBe(created + 60_000)
    expect(lifetimeExpiry(created, life, () => 0.999_999)).toBeCloseTo(created + 66_000, -1)
  })

  it('centres the jitter on maxLifetime: as many connections live longer as shorter', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const ages = Array.from({ length: 10_000 }, () => lifetimeExpiry(0, life, random))
    const mean = ages.reduce((a, b) => a + b, 0) / ages.length
    expect(Math.abs(mean - life)).toBeLessThan(life * 0.005)
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(life * 0.9)
    expect(Math.max(...ages)).toBeLessThan(life * 1.1)
    expect(Math.max(...ages)).toBeGreaterThan(life * 1.09)
  })

  it('never expires with maxLifetime 0', () => {
    expect(lifetimeExpiry(created, 0, () => 0.5)).toBe(Number.POSITIVE_INFINITY)
  })
})
