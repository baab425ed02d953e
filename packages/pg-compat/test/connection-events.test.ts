/**
 * `client.connection`'s `parameterStatus` events: one per server parameter, before `connect()`
 * settles, in `pg`'s message shape (Sequelize learns the server version from them).
 */
import { testServers } from '@tusk/testkit/vitest'
import pg from 'pg'
import { describe, expect, it } from 'vitest'

describe.each(testServers().map((s) => [s.name, s] as const))(
  'client.connection on %s',
  (_n, server) => {
    it('emits parameterStatus for each server parameter while connecting', async () => {
      const client = new pg.Client(server.url)
      const seen = new Map<string, string>()
      client.connection.on('parameterStatus', (m) => {
        expect(m.name).toBe('parameterStatus')
        seen.set(m.parameterName, m.parameterValue)
      })
      await client.connect()
      try {
        expect(seen.get('server_version')?.split('.')[0]).toBe(String(server.major))
        expect(seen.get('standard_conforming_strings')).toBe('on')
        expect(seen.size).toBe(client.parameters?.size)
      } finally {
        await client.end()
      }
    })
  },
)
