import { describe, expect, it } from 'vitest'
import { ConfigError, ConnectionError, ConnectionLost } from '../errors/client.js'
import { fromServerError } from '../errors/server-error.js'
import { nodeRuntime } from '../runtime/node.js'
import { createClusterOn, needsRediscovery } from './cluster.js'

describe('needsRediscovery', () => {
  it.each([
    ['25006', true],
    ['57P01', true],
    ['57P02', true],
    ['57P03', true],
    ['23505', false],
    ['40001', false],
  ])('SQLSTATE %s → %s', (code, want) => {
    expect(needsRediscovery(fromServerError({ code, severity: 'ERROR', message: 'x' }))).toBe(want)
  })

  it('takes a lost link as a reason, a refused connect not (new connects find the primary anyway)', () => {
    expect(needsRediscovery(new ConnectionLost('gone'))).toBe(true)
    expect(needsRediscovery(new ConnectionError('refused'))).toBe(false)
    expect(needsRediscovery(new Error('plain'))).toBe(false)
    expect(needsRediscovery(undefined)).toBe(false)
  })
})

describe('createCluster options', () => {
  it('refuses an unknown readFrom and checks the read pool options', () => {
    expect(() =>
      createClusterOn('host=h1,h2', { readFrom: 'any' as never }, () => nodeRuntime()),
    ).toThrow(ConfigError)
    expect(() => createClusterOn('host=h1,h2', { read: { max: 0 } }, () => nodeRuntime())).toThrow(
      /max/,
    )
  })

  it('gives the writer read-write and the readers prefer-standby, connecting nothing yet', async () => {
    const db = createClusterOn('host=h1,h2', { max: 2 }, () => nodeRuntime())
    expect(db.writer.total).toBe(0)
    expect(db.read.total).toBe(0)
    await db.end()
  })
})
