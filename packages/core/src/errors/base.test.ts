import { describe, expect, it } from 'vitest'
import { DatabaseError, InterfaceError, OperationalError, TuskError } from './base.js'
import { ProtocolError } from './client.js'

describe('error roots', () => {
  it('keeps instanceof along the DB-API chain', () => {
    const e = new ProtocolError('bad', { messageType: 'DataRow' })
    expect(e).toBeInstanceOf(OperationalError)
    expect(e).toBeInstanceOf(DatabaseError)
    expect(e).toBeInstanceOf(TuskError)
    expect(e).not.toBeInstanceOf(InterfaceError)
    expect(e.name).toBe('ProtocolError')
  })
})
