import { describe, expect, it } from 'vitest'
import { ConnectionError, ConnectTimeout } from '../errors/client.js'
import { nothingListens } from './connect-failure.js'

/** An error as Deno's runtime throws it for a permission not granted: a name, no code. */
function denied(name: string): Error {
  const e = new Error(
    'Requires net access to "127.0.0.1:5432", run again with the --allow-net flag',
  )
  e.name = name
  return e
}

describe('nothingListens', () => {
  it('fails waiters at once when nothing is there or the process may not connect', () => {
    for (const errno of ['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EACCES', 'EPERM'])
      expect(nothingListens(new ConnectionError('x', { errno })), errno).toBe(true)
    expect(nothingListens(new ConnectionError('x', { cause: denied('NotCapable') }))).toBe(true)
    expect(nothingListens(new ConnectionError('x', { cause: denied('PermissionDenied') }))).toBe(
      true,
    )
    // A multi-host failure wraps the last host's.
    const last = new ConnectionError('host b', { errno: 'ECONNREFUSED' })
    expect(nothingListens(new ConnectionError('every host failed', { cause: last }))).toBe(true)
  })

  it('keeps waiters waiting on a network that may come back', () => {
    for (const errno of ['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'])
      expect(nothingListens(new ConnectionError('x', { errno })), errno).toBe(false)
    expect(nothingListens(new ConnectTimeout('slow'))).toBe(false)
    expect(nothingListens(new ConnectionError('x', { cause: new Error('other') }))).toBe(false)
    expect(nothingListens(new Error('not a connection error'))).toBe(false)
  })
})
