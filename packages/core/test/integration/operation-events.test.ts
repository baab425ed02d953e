// Operation events: transactions, savepoints, cursors and COPY announced on diagnostics_channel,
// with the statements inside a transaction or savepoint naming it as their parent, so a tracer
// can draw the tree. Values never travel in them.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { Readable } from 'node:stream'
import { testServers } from '@tusk/testkit/vitest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CHANNELS,
  connect,
  createPool,
  errors,
  type OperationEndEvent,
  type OperationEvent,
  type QueryEvent,
  type Session,
} from '../../src/index.js'

interface Seen {
  ops: OperationEvent[]
  opEnds: OperationEndEvent[]
  queries: QueryEvent[]
  connects: { createMs?: number }[]
}

describe.each(testServers().map((s) => [s.name, s] as const))('on %s', (_n, server) => {
  const seen: Seen = { ops: [], opEnds: [], queries: [], connects: [] }
  const listeners: [string, (m: unknown) => void][] = [
    [CHANNELS.operationStart, (m) => seen.ops.push(m as OperationEvent)],
    [CHANNELS.operationEnd, (m) => seen.opEnds.push(m as OperationEndEvent)],
    [CHANNELS.queryStart, (m) => seen.queries.push(m as QueryEvent)],
    [CHANNELS.connect, (m) => seen.connects.push(m as { createMs?: number })],
  ]
  let session: Session | undefined
  beforeEach(() => {
    seen.ops.length = 0
    seen.opEnds.length = 0
    seen.queries.length = 0
    seen.connects.length = 0
    for (const [name, fn] of listeners) subscribe(name, fn)
  })
  afterEach(async () => {
    for (const [name, fn] of listeners) unsubscribe(name, fn)
    await session?.close()
    session = undefined
  })

  const endOf = (op: OperationEvent | undefined): OperationEndEvent | undefined =>
    seen.opEnds.find((e) => e.id === op?.id)

  it('a transaction and its savepoint parent the statements run inside them', async () => {
    session = await connect(server.url)
    const secret = `value-${process.pid}`
    await session.query('select 1 as outside')
    await session.transaction(async (tx) => {
      await tx.query('select $1::text as in_tx', [secret])
      await tx.savepoint(async (sp) => {
        await sp.query('select 2 as in_sp')
      })
    })
    const [txOp, spOp] = seen.ops
    expect(txOp).toMatchObject({ kind: 'transaction', parentId: undefined, query: undefined })
    expect(txOp?.processId).toBe(session.processId)
    expect(spOp).toMatchObject({ kind: 'savepoint', parentId: txOp?.id })
    const parentOf = (text: string): number | undefined =>
      seen.queries.find((q) => q.query.includes(text))?.parentId
    expect(parentOf('outside')).toBeUndefined()
    expect(parentOf('in_tx')).toBe(txOp?.id)
    expect(parentOf('in_sp')).toBe(spOp?.id)
    expect(endOf(txOp)).toMatchObject({ outcome: 'commit' })
    expect(endOf(spOp)).toMatchObject({ outcome: 'commit' })
    expect(endOf(txOp)!.durationMs).toBeGreaterThanOrEqual(endOf(spOp)!.durationMs)
    expect(JSON.stringify([seen.ops, seen.opEnds, seen.queries])).not.toContain(secret)
    // After the end, statements have no parent again.
    await session.query('select 3 as after_tx')
    expect(parentOf('after_tx')).toBeUndefined()
  })

  it('a failed transaction ends as a rollback with its error', async () => {
    session = await connect(server.url)
    const failure = session.transaction(async (tx) => {
      await tx.query('select 1/0')
    })
    await expect(failure).rejects.toBeInstanceOf(errors.DivisionByZero)
    const txOp = seen.ops.find((o) => o.kind === 'transaction')
    const end = endOf(txOp)
    expect(end?.outcome).toBe('rollback')
    expect(end?.error).toBeInstanceOf(errors.DivisionByZero)
  })

  it('a failed savepoint rolls back alone and the transaction still commits', async () => {
    session = await connect(server.url)
    await session.transaction(async (tx) => {
      await expect(
        tx.savepoint(async (sp) => {
          await sp.query('select 1/0')
        }),
      ).rejects.toBeInstanceOf(errors.DivisionByZero)
    })
    const sp = seen.ops.find((o) => o.kind === 'savepoint')
    const tx = seen.ops.find((o) => o.kind === 'transaction')
    expect(endOf(sp)).toMatchObject({ outcome: 'rollback' })
    expect(endOf(sp)?.error).toBeInstanceOf(errors.DivisionByZero)
    expect(endOf(tx)).toMatchObject({ outcome: 'commit' })
  })

  it('a cursor is announced with its statement and ends with the rows it read', async () => {
    session = await connect(server.url)
    await session.transaction(async (tx) => {
      const cursor = tx.cursor('select g from generate_series(1, 25) g', [], { batchSize: 10 })
      let rows = 0
      for await (const batch of cursor) rows += batch.length
      expect(rows).toBe(25)
    })
    const op = seen.ops.find((o) => o.kind === 'cursor')
    const tx = seen.ops.find((o) => o.kind === 'transaction')
    expect(op).toMatchObject({ query: 'select g from generate_series(1, 25) g', parentId: tx?.id })
    expect(endOf(op)).toMatchObject({ rowCount: 25 })
    expect(endOf(op)?.error).toBeUndefined()
    // One query event per batch read (10 + 10 + 5 rows) and one for closing the portal:
    // describing the statement before the first batch is part of reading it, not a statement.
    expect(seen.queries.filter((q) => q.parentId === op?.id)).toHaveLength(4)
  })

  it('a cursor whose statement fails when described announces the failed query', async () => {
    const errorsSeen: QueryEvent[] = []
    const onError = (m: unknown) => errorsSeen.push(m as QueryEvent)
    subscribe(CHANNELS.queryError, onError)
    try {
      session = await connect(server.url)
      const cursor = session.cursor('select no_such_column from generate_series(1, 3) g')
      await expect(cursor.read()).rejects.toBeInstanceOf(errors.UndefinedColumn)
      const op = seen.ops.find((o) => o.kind === 'cursor')
      const started = seen.queries.filter((q) => q.parentId === op?.id)
      expect(started).toHaveLength(1)
      expect(errorsSeen.map((e) => e.id)).toEqual([started[0]?.id])
      expect(endOf(op)?.error).toBeInstanceOf(errors.UndefinedColumn)
    } finally {
      unsubscribe(CHANNELS.queryError, onError)
    }
  })

  it('a pool cursor is announced once it has its connection', async () => {
    const pool = createPool(server.url, { max: 1 })
    try {
      const cursor = pool.cursor('select g from generate_series(1, 5) g', [], { batchSize: 3 })
      expect(seen.ops).toHaveLength(0)
      const batch = await cursor.read()
      expect(batch).toHaveLength(3)
      await cursor.close()
      const op = seen.ops.find((o) => o.kind === 'cursor')
      expect(op?.processId).toBeGreaterThan(0)
      // The prefetched second batch was read from the server too.
      expect(endOf(op)?.rowCount).toBe(5)
      expect(seen.connects[0]?.createMs).toBeGreaterThan(0)
    } finally {
      await pool.end({ timeout: 1_000 })
    }
  })

  it('COPY in and out are announced with their statements and row counts', async () => {
    session = await connect(server.url)
    await session.query('create temp table op_copy (n int)')
    await session.copyFrom('copy op_copy from stdin', Readable.from(['1\n', '2\n', '3\n']))
    const out: Buffer[] = []
    for await (const chunk of session.copyTo('copy op_copy to stdout')) out.push(chunk as Buffer)
    expect(Buffer.concat(out).toString()).toBe('1\n2\n3\n')
    await expect(
      session.copyFrom('copy op_copy from stdin', Readable.from(['x\n'])),
    ).rejects.toBeInstanceOf(errors.InvalidTextRepresentation)
    const [copyIn, copyOut, badIn] = seen.ops
    expect(copyIn).toMatchObject({ kind: 'copy-from', query: 'copy op_copy from stdin' })
    expect(endOf(copyIn)).toMatchObject({ rowCount: 3 })
    expect(copyOut).toMatchObject({ kind: 'copy-to', query: 'copy op_copy to stdout' })
    expect(endOf(copyOut)).toMatchObject({ rowCount: 3 })
    expect(badIn?.kind).toBe('copy-from')
    expect(endOf(badIn)?.error).toBeInstanceOf(errors.InvalidTextRepresentation)
  })
})

describe('without a subscriber', () => {
  it('publishes nothing and keeps no scope', async () => {
    const [server] = testServers()
    const session = await connect(server!.url)
    try {
      const target = (session as unknown as { traceTarget: { traceScopes: number[] } }).traceTarget
      let inside: number[] | undefined
      await session.transaction(async (tx) => {
        await tx.query('select 1')
        inside = [...target.traceScopes]
      })
      // No event was built, so no scope was opened for statements to name.
      expect(inside).toEqual([])
      const listener = (): void => {}
      subscribe(CHANNELS.operationStart, listener)
      try {
        await session.transaction(async () => {
          inside = [...target.traceScopes]
        })
      } finally {
        unsubscribe(CHANNELS.operationStart, listener)
      }
      expect(inside).toHaveLength(1)
      expect(target.traceScopes).toEqual([])
    } finally {
      await session.close()
    }
  })
})
