import { testServers } from '@tusk/testkit/vitest'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Session } from '../../src/index.js'
import { typeArbitraries, valuesEqual } from '../types/arbitraries.js'

const servers = testServers()

describe.each(servers.map((s) => [s.name, s] as const))(
  'type round trips through %s',
  (_n, server) => {
    let textConn: Session
    let binaryConn: Session
    beforeAll(async () => {
      // prepare: false → results in text; prepareThreshold 0 → cached statements, binary results
      // for every type whose binary decoder is faster.
      textConn = await connect(server.url, { prepare: false })
      binaryConn = await connect(server.url, { prepareThreshold: 0 })
    })
    afterAll(async () => {
      await textConn?.close()
      await binaryConn?.close()
    })

    const supported = typeArbitraries.filter(
      (t) => !(t.name.startsWith('int4multirange') && server.major < 14),
    )
    for (const t of supported) {
      it(`${t.name}: values come back equal in text and binary, and as the server prints them`, async () => {
        const equals = t.equals ?? valuesEqual
        const sql = `select $1::${t.name} as v, $1::${t.name}::text as t`
        const echoSql = `select $1::text::${t.name}::text as echo`
        await fc.assert(
          fc.asyncProperty(t.arbitrary, async (value) => {
            const viaText = await textConn.queryOne<{ v: unknown; t: string }>(sql, [value])
            expect(equals(viaText!.v, value)).toBe(true)
            // Run twice so the second run uses the prepared statement and binary results.
            await binaryConn.query(sql, [value])
            const viaBinary = await binaryConn.queryOne<{ v: unknown; t: string }>(sql, [value])
            expect(equals(viaBinary!.v, value)).toBe(true)
            expect(viaBinary!.t).toBe(viaText!.t)
            // The server's own text form parses back to the same value.
            const echo = await textConn.queryOne<{ echo: string }>(echoSql, [viaText!.t])
            expect(echo!.echo).toBe(viaText!.t)
          }),
          { numRuns: 15, seed: 42 },
        )
      })
    }
  },
)
