/**
 * A chaos soak: a mixed workload (autocommit writes, transactions, cursors, COPY in and out,
 * NOTIFY to a pool listener) runs through a pool and a fault proxy while a loop restarts the
 * server (fast and immediate), terminates its backends and stalls the link. At the end no
 * acknowledged write is lost, no failure that said "not applied" left a row, every failure is an
 * operational taxonomy error, and the pool is whole again.
 *
 * Bounded: TUSK_SOAK_SECONDS (default 40) of chaos. The results go to TUSK_SOAK_RESULTS (a JSON
 * file; default a fresh file under the OS temp dir, never the work tree), and
 * `node packages/core/scripts/soak-summary.mjs <file>` prints the summary. TUSK_FAULT_REPORT=1
 * prints it at the end of the run too.
 */
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type FaultProxy, type Lab, type LabNode, startFaultProxy, startLab } from '@tusk/testkit'
import { elapse } from '@tusk/testkit/elapse'
import { until } from '@tusk/testkit/until'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool, type Pool } from '../../src/index.js'
import { openSockets, spread, WriteLedger, withinTaxonomy } from './write-ledger.js'

const unhandled: unknown[] = []
process.on('unhandledRejection', (e) => unhandled.push(e))

const SECONDS = Number(process.env.TUSK_SOAK_SECONDS ?? 40)
/** Each statement's own limit: a stall longer than this makes statements time out. */
const QUERY_TIMEOUT_MS = 2_000
/** How long a stall holds the link: past the statements' timeout and cancel grace. */
const STALL_MS = 3_500
/** Load without faults between two events, so each event hits a running workload. */
const CALM_MS = 1_500
/** A fresh query must succeed within this after an event (measured: a few hundred ms). */
const RECOVERY_BOUND_MS = 15_000
/** Pause between two operations of one worker: a steady load that leaves the machine room. */
const PACE_MS = 15

type Kind = 'insert' | 'transaction' | 'cursor' | 'copy in' | 'copy out' | 'notify'
type Event = 'restart fast' | 'restart immediate' | 'terminate' | 'stall'
const EVENTS: readonly Event[] = ['terminate', 'restart fast', 'stall', 'restart immediate']

let lab: Lab
let node: LabNode
let proxy: FaultProxy

beforeAll(async () => {
  // Acknowledged means durable: synchronous_commit on (the testkit's default is off).
  lab = await startLab({ settings: { synchronous_commit: 'on' } })
  node = lab.nodes[0]
  await lab.nodes[1].stop('immediate')
  await node.sql('create table soak_writes (id int primary key, kind text not null)')
  proxy = await startFaultProxy({ host: node.host, port: node.port })
}, 90_000)

afterAll(async () => {
  await proxy?.close()
  await lab?.stop()
})

describe('chaos soak', () => {
  it(
    `${SECONDS} s of restarts, terminations and stalls under a mixed workload lose no acknowledged write`,
    async () => {
      const sockets = openSockets()
      const app = `tusk_soak_${process.pid}`
      const channel = `soak_${process.pid}`
      let notified = 0
      let received = 0
      let listenReconnects = 0
      const pool: Pool = createPool(
        lab.conninfo([node], { port: proxy.port, application_name: app }),
        {
          max: 6,
          acquireTimeout: 3_000,
          connectTimeout: 2_000,
          cancelGrace: 1_000,
          retryBackoff: { baseDelayMs: 20, maxDelayMs: 250 },
          onListenReconnect: () => {
            listenReconnects++
          },
        },
      )
      const ledger = new WriteLedger(1)
      const ops: Record<Kind, { ok: number; failed: number }> = {
        insert: { ok: 0, failed: 0 },
        transaction: { ok: 0, failed: 0 },
        cursor: { ok: 0, failed: 0 },
        'copy in': { ok: 0, failed: 0 },
        'copy out': { ok: 0, failed: 0 },
        notify: { ok: 0, failed: 0 },
      }
      /** Every failure of every kind, by class (writes are also in the ledger). */
      const failures: { kind: Kind; error: unknown }[] = []
      await pool.listen(channel, () => {
        received++
      })

      const run = async (kind: Kind, op: () => Promise<unknown>): Promise<boolean> => {
        try {
          await op()
          ops[kind].ok++
          return true
        } catch (error) {
          ops[kind].failed++
          failures.push({ kind, error })
          return false
        }
      }
      const t = { timeout: QUERY_TIMEOUT_MS }
      const work: Record<Kind, () => Promise<boolean>> = {
        insert: () => {
          const id = ledger.id()
          return run('insert', () =>
            ledger
              .write([id], () =>
                pool
                  .query('insert into soak_writes values ($1, $2)', [id, 'insert'], t)
                  .then(() => undefined),
              )
              .then((ok) => {
                if (!ok) throw ledger.failed[ledger.failed.length - 1]!.error
              }),
          )
        },
        transaction: () => {
          const ids = [ledger.id(), ledger.id()]
          return run('transaction', async () => {
            const ok = await ledger.write(ids, () =>
              pool.transaction(async (tx) => {
                for (const id of ids) {
                  await tx.query('insert into soak_writes values ($1, $2)', [id, 'transaction'], t)
                }
              }),
            )
            if (!ok) throw ledger.failed[ledger.failed.length - 1]!.error
          })
        },
        cursor: () =>
          run('cursor', async () => {
            let n = 0
            for await (const batch of pool.cursor(
              'select id from soak_writes order by id desc limit 300',
              [],
              { batchSize: 100, ...t },
            )) {
              n += batch.length
            }
            return n
          }),
        'copy in': () => {
          const ids = Array.from({ length: 5 }, () => ledger.id())
          return run('copy in', async () => {
            const ok = await ledger.write(ids, () =>
              pool.copyFrom(
                'copy soak_writes (id, kind) from stdin',
                ids.map((id) => `${id}\tcopy\n`),
                t,
              ),
            )
            if (!ok) throw ledger.failed[ledger.failed.length - 1]!.error
          })
        },
        'copy out': () =>
          run('copy out', async () => {
            let bytes = 0
            for await (const chunk of pool.copyTo(
              'copy (select id from soak_writes order by id desc limit 1000) to stdout',
              t,
            )) {
              bytes += (chunk as Buffer).length
            }
            return bytes
          }),
        notify: () =>
          run('notify', async () => {
            await pool.notify(channel, String(notified + 1), t)
            notified++
          }),
      }

      let stop = false
      const worker = async (kind: Kind): Promise<void> => {
        while (!stop) {
          const ok = await work[kind]()
          // A failed operation is not retried: the next one is the application's retry.
          await elapse(ok ? PACE_MS : 50)
        }
      }
      const kinds = Object.keys(work) as Kind[]
      // Two writers of autocommit inserts, one worker of every other kind.
      const workers = [...kinds, 'insert' as const].map(worker)
      await until(() => ledger.acknowledged.length >= 30, {
        timeout: 15_000,
        what: 'writes acknowledged before the chaos',
      })

      const recoveries: { event: Event; ms: number }[] = []
      const started = Date.now()
      const deadline = started + SECONDS * 1_000
      for (let i = 0; Date.now() < deadline; i++) {
        const event = EVENTS[i % EVENTS.length]!
        switch (event) {
          case 'restart fast':
          case 'restart immediate':
            await node.stop(event === 'restart fast' ? 'fast' : 'immediate')
            await node.start()
            break
          case 'terminate':
            await node.sql(
              `select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${app}'`,
            )
            break
          case 'stall':
            proxy.stall()
            // The stall's length is the point: statements time out and cancels go unanswered.
            await elapse(STALL_MS)
            proxy.resume()
            break
        }
        const t0 = Date.now()
        await until(
          async () => {
            try {
              await pool.query('select 1', [], { timeout: 2_000 })
              return true
            } catch {
              return false
            }
          },
          { timeout: RECOVERY_BOUND_MS, interval: 20, what: `the pool answering after ${event}` },
        )
        recoveries.push({ event, ms: Date.now() - t0 })
        await elapse(CALM_MS)
      }
      const chaosMs = Date.now() - started
      // After the chaos the workload runs clean again.
      const acked = ledger.acknowledged.length
      await until(() => ledger.acknowledged.length >= acked + 20, {
        timeout: RECOVERY_BOUND_MS,
        what: 'writes acknowledged after the chaos',
      })
      stop = true
      await Promise.all(workers)
      // The listener is back: a notification sent now arrives.
      const before = received
      await pool.notify(channel, 'last')
      await until(() => received > before, {
        timeout: RECOVERY_BOUND_MS,
        what: 'a notification after the chaos',
      })

      const check = await ledger.check(async (ids) => {
        const out = await node.sql(
          `select id from soak_writes where id = any('{${ids.join(',')}}'::int[])`,
        )
        return new Set(out.split('\n').filter(Boolean).map(Number))
      })
      const byClass: Record<string, number> = {}
      const outsideTaxonomy: string[] = []
      for (const f of failures) {
        const e = f.error
        const name = e instanceof Error ? `${e.name}` : typeof e
        byClass[name] = (byClass[name] ?? 0) + 1
        // Operational failures, or a call refused on a connection already known lost.
        if (!withinTaxonomy(e)) {
          outsideTaxonomy.push(`${f.kind}: ${name}: ${(e as Error)?.message}`)
        }
      }
      const perEvent: Record<string, [number, number, number]> = {}
      for (const event of EVENTS) {
        perEvent[event] = spread(recoveries.filter((r) => r.event === event).map((r) => r.ms))
      }
      const results = {
        date: new Date().toISOString(),
        node: process.version,
        server: lab.version,
        machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
        seconds: SECONDS,
        chaosMs,
        events: recoveries.length,
        eventsByKind: Object.fromEntries(
          EVENTS.map((e) => [e, recoveries.filter((r) => r.event === e).length]),
        ),
        operations: ops,
        writes: {
          acknowledged: check.acknowledged,
          lost: check.lost.length,
          failed: check.failed,
          inDoubt: check.inDoubt,
          inDoubtApplied: check.inDoubtApplied,
          inDoubtNotApplied: check.inDoubtNotApplied,
          appliedThoughNotInDoubt: check.appliedThoughNotInDoubt.length,
        },
        errorsByClass: byClass,
        notifications: { sent: notified, received, listenReconnects },
        recoveryMs: {
          all: spread(recoveries.map((r) => r.ms)),
          perEvent,
        },
      }
      const file =
        process.env.TUSK_SOAK_RESULTS ??
        path.join(os.tmpdir(), `tusk-chaos-soak-${process.pid}-${Date.now()}.json`)
      writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
      if (process.env.TUSK_FAULT_REPORT) console.log(`chaos soak results: ${file}`)

      expect(check.lost, 'acknowledged writes lost').toEqual([])
      expect(check.appliedThoughNotInDoubt, 'failures that said "not applied" left rows').toEqual(
        [],
      )
      expect(check.badErrors, 'write failures outside the taxonomy or applied in part').toEqual([])
      expect(outsideTaxonomy, 'failures outside the operational taxonomy').toEqual([])
      // Every kind of event happened, and every kind of operation succeeded many times.
      for (const event of EVENTS) expect(results.eventsByKind[event], event).toBeGreaterThan(0)
      for (const kind of kinds) expect(ops[kind].ok, kind).toBeGreaterThan(5)
      expect(Math.max(...recoveries.map((r) => r.ms))).toBeLessThan(RECOVERY_BOUND_MS)

      await pool.end({ timeout: 2_000 })
      await until(
        async () =>
          (await node.sql(
            `select count(*) from pg_stat_activity where application_name = '${app}'`,
          )) === '0',
        { timeout: 5_000, what: 'no server session left' },
      )
      await until(() => openSockets() <= sockets, { timeout: 5_000, what: 'no socket left open' })
      expect(unhandled).toEqual([])
    },
    (SECONDS + 90) * 1_000,
  )
})
