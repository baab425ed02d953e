import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import { poolerOptions } from './pooler.js'

describe("pooler: 'transaction'", () => {
  it('turns named statements off and keeps the other options', () => {
    const o = poolerOptions({ pooler: 'transaction' as const, prepareThreshold: 3 })
    expect(o).toEqual({ pooler: 'transaction', prepareThreshold: 3, prepare: false })
  })

  it('leaves options alone for session mode and without a pooler', () => {
    const session = { pooler: 'session' as const, statementTimeout: 5 }
    expect(poolerOptions(session)).toBe(session)
    const none = { prepare: true }
    expect(poolerOptions(none)).toBe(none)
  })

  it.each([
    ['prepare', { prepare: true }],
    ['statementTimeout', { statementTimeout: 1000 }],
    ['lockTimeout', { lockTimeout: 1000 }],
    ['idleInTransactionSessionTimeout', { idleInTransactionSessionTimeout: 1000 }],
  ])('refuses %s, which needs session state', (name, extra) => {
    let caught: unknown
    try {
      poolerOptions({ pooler: 'transaction' as const, ...extra })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ConfigError)
    expect((caught as ConfigError).parameter).toBe(name)
  })
})
