import { describe, expect, it } from 'vitest'
import { StatementCache } from './statement-cache.js'

describe('statement names', () => {
  it('differ between connections, so a pooler never mixes two clients’ statements', () => {
    const names = new Set<string>()
    for (let i = 0; i < 50; i++) {
      const cache = new StatementCache({ size: 10, prepareThreshold: 0 })
      const plan = cache.plan('k', 'SELECT 1', () => {})
      expect(plan.kind).toBe('prepare')
      if (plan.kind === 'prepare') names.add(plan.statement.name)
    }
    expect(names.size).toBe(50)
    for (const n of names) expect(n).toMatch(/^tusk_[0-9a-z]{6}_1$/)
  })
})
