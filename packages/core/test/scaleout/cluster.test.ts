// createCluster on a real primary + streaming standby: writes on the primary, reads on the
// standby, reads falling back to the primary, and the writer finding a new primary after a
// read-only answer (25006) or a failover.
import { type Lab, type LabNode, startLab } from '@tusk/testkit'
import { until } from '@tusk/testkit/until'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Cluster, createCluster, errors } from '../../src/index.js'

let lab: Lab
const clusters: Cluster[] = []

beforeAll(async () => {
  lab = await startLab()
  await lab.nodes[0].sql('CREATE TABLE cluster_log (id serial PRIMARY KEY, note text)')
  await lab.waitForReplay(lab.nodes[0], lab.nodes[1])
}, 60_000)

afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.end({ timeout: 2_000 })))
})

afterAll(async () => {
  await lab?.stop()
})

function cluster(): Cluster {
  const c = createCluster(lab.conninfo(lab.nodes), {
    max: 4,
    acquireTimeout: 2_000,
    retryBackoff: { baseDelayMs: 20, maxDelayMs: 200 },
    read: { max: 2 },
  })
  clusters.push(c)
  return c
}

const port = async (q: { query: Cluster['query'] }): Promise<number> =>
  (await q.query<{ p: number }>('SELECT inet_server_port() AS p')).rows[0]?.p as number

/** Tries `fn` until it returns `want` (failures on the way are allowed), bounded. */
async function eventually<T>(fn: () => Promise<T>, want: T, what: string): Promise<void> {
  await until(
    async () => {
      try {
        return (await fn()) === want
      } catch (err) {
        expect(err).toBeInstanceOf(errors.OperationalError)
        return false
      }
    },
    { timeout: 10_000, interval: 50, what },
  )
}

describe('createCluster', () => {
  it('writes on the primary and reads on the standby, from one host list', async () => {
    const [a, b] = lab.nodes
    const db = cluster()
    expect(await port(db)).toBe(a.port)
    expect(await port(db.read)).toBe(b.port)
    const r = await db.query<{ id: number }>(
      "INSERT INTO cluster_log (note) VALUES ('hello') RETURNING id",
    )
    await lab.waitForReplay(a, b)
    const seen = await db.read.query('SELECT note FROM cluster_log WHERE id = $1', [r.rows[0]?.id])
    expect(seen.rows).toEqual([{ note: 'hello' }])
    // A write on the read side is refused by the standby, typed.
    await expect(db.read.query("INSERT INTO cluster_log (note) VALUES ('no')")).rejects.toThrow(
      errors.ReadOnlySqlTransaction,
    )
  }, 20_000)

  it('reads from the primary while no standby is up, and from the standby again after', async () => {
    const [a, b] = lab.nodes
    const db = cluster()
    expect(await port(db.read)).toBe(b.port)
    await b.stop('fast')
    try {
      await eventually(() => port(db.read), a.port, 'reads on the primary')
    } finally {
      await b.start()
    }
    await db.read.drain()
    await eventually(() => port(db.read), b.port, 'reads back on the standby')
  }, 30_000)

  it('looks for the primary again when a writer connection turns read-only (25006)', async () => {
    const [a] = lab.nodes
    const db = cluster()
    expect(await port(db)).toBe(a.port)
    await a.sql('ALTER SYSTEM SET default_transaction_read_only = on')
    await a.sql('SELECT pg_catalog.pg_reload_conf()')
    try {
      // The reload reaches the writer's open session: its next write is refused as read-only.
      await until(
        async () => {
          try {
            await db.query("INSERT INTO cluster_log (note) VALUES ('ro?')")
            return false
          } catch (err) {
            if (err instanceof errors.ReadOnlySqlTransaction) return true
            throw err
          }
        },
        { timeout: 10_000, what: 'a 25006 answer on the writer' },
      )
      expect(db.rediscoveries).toBeGreaterThanOrEqual(1)
      // No server takes writes now: the writer says so, typed, within acquireTimeout.
      const t0 = Date.now()
      await expect(db.query('SELECT 1')).rejects.toThrow(errors.OperationalError)
      expect(Date.now() - t0).toBeLessThan(5_000)
    } finally {
      await a.sql('ALTER SYSTEM RESET default_transaction_read_only')
      await a.sql('SELECT pg_catalog.pg_reload_conf()')
    }
    await eventually(() => port(db), a.port, 'writes on the primary again')
  }, 30_000)

  it('reads its own writes in a read-your-writes scope while the standby lags', async () => {
    const [a, b] = lab.nodes
    const db = cluster()
    expect(await port(db.read)).toBe(b.port)
    // Replay paused: the standby lags behind every write from here on.
    await b.sql('SELECT pg_catalog.pg_wal_replay_pause()')
    try {
      const scope = db.readYourWrites({ maxLagWait: 300 })
      const w = await scope.query<{ id: number }>(
        "INSERT INTO cluster_log (note) VALUES ('mine') RETURNING id",
      )
      const id = w.rows[0]?.id
      const plain = await db.read.query('SELECT note FROM cluster_log WHERE id = $1', [id])
      expect(plain.rows).toEqual([])
      const t0 = Date.now()
      const mine = await scope.read(
        'SELECT note, inet_server_port() AS p FROM cluster_log WHERE id = $1',
        [id],
      )
      expect(mine.rows).toEqual([{ note: 'mine', p: a.port }])
      expect(scope.lastRead?.on).toBe('primary')
      expect(Date.now() - t0).toBeLessThan(3_000)
    } finally {
      await b.sql('SELECT pg_catalog.pg_wal_replay_resume()')
    }
    // Replaying again: the scope's read waits for the standby instead of going to the primary.
    const scope = db.readYourWrites({ maxLagWait: 5_000 })
    const w = await scope.query<{ id: number }>(
      "INSERT INTO cluster_log (note) VALUES ('again') RETURNING id",
    )
    const again = await scope.read(
      'SELECT note, inet_server_port() AS p FROM cluster_log WHERE id = $1',
      [w.rows[0]?.id],
    )
    expect(again.rows).toEqual([{ note: 'again', p: b.port }])
    expect(scope.lastRead?.on).toBe('standby')
  }, 30_000)

  it('moves writes to a promoted standby after the primary is killed', async () => {
    const [a, b] = lab.nodes
    const db = cluster()
    expect(await port(db)).toBe(a.port)
    await a.stop('immediate')
    await expect(db.query('SELECT 1')).rejects.toThrow(errors.OperationalError)
    await b.promote()
    const t0 = Date.now()
    await eventually(() => port(db), b.port, 'writes on the promoted standby')
    expect(Date.now() - t0).toBeLessThan(3_000)
    // The read side follows too: prefer-standby falls back to the only server left.
    await eventually(() => port(db.read), b.port, 'reads on the new primary')
    await lab.rebuildStandby(a as LabNode, b)
  }, 40_000)
})
