import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Lab, startLab } from '../src/index.js'

describe('the replication lab', () => {
  let lab: Lab
  beforeAll(async () => {
    lab = await startLab()
  }, 60_000)
  afterAll(async () => {
    await lab?.stop()
  })

  it('runs node a as a primary and node b as its streaming hot standby', async () => {
    const [a, b] = lab.nodes
    expect(await a.sql('SELECT pg_catalog.pg_is_in_recovery()')).toBe('f')
    expect(await b.sql('SELECT pg_catalog.pg_is_in_recovery()')).toBe('t')
    await a.sql('CREATE TABLE lab_probe (x int); INSERT INTO lab_probe VALUES (42)')
    await lab.waitForReplay(a, b, 10_000)
    expect(await b.sql('SELECT x FROM lab_probe')).toBe('42')
    expect(await b.sql('SELECT status FROM pg_catalog.pg_stat_wal_receiver')).toBe('streaming')
  }, 20_000)

  it('kills the primary, promotes the standby, rebuilds the old primary as its standby', async () => {
    const [a, b] = lab.nodes
    await a.stop('immediate')
    expect(a.running).toBe(false)
    await b.promote()
    expect((await lab.primary()).name).toBe('b')
    await b.sql('INSERT INTO lab_probe VALUES (43)')
    await lab.rebuildStandby(a, b)
    expect(await a.sql('SELECT pg_catalog.pg_is_in_recovery()')).toBe('t')
    await lab.waitForReplay(b, a, 10_000)
    expect(await a.sql("SELECT string_agg(x::text, ',' ORDER BY x) FROM lab_probe")).toBe('42,43')
  }, 30_000)

  it('removes every file of the lab on stop', async () => {
    const dirs = lab.nodes.map((n) => n.dataDir)
    await lab.stop()
    for (const d of dirs) expect(existsSync(d)).toBe(false)
  }, 20_000)
})
