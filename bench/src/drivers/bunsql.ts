/**
 * Bun's built-in PostgreSQL client, `Bun.SQL` (as `Bun.sql` uses it): one instance with `max: 1`
 * is one connection (concurrent queries on it are pipelined), queries are prepared (its default).
 * Only W1, W2p and W3 run with it (the Bun suite); it exists only in a child run by Bun.
 */
import type { DriverAdapter, Row, Session } from './driver.js'

/** The part of `Bun.SQL` the workloads use. */
interface BunSql {
  (strings: TemplateStringsArray, ...values: unknown[]): Promise<readonly Row[]>
  unsafe(text: string, params?: readonly unknown[]): Promise<readonly Row[]>
  close(): Promise<void>
}

interface BunGlobal {
  version: string
  SQL: new (url: string, options: { max: number }) => BunSql
}

const ONLY = 'n/a (the Bun suite runs W1, W2p and W3)'

/** The adapter; throws outside Bun. */
export async function load(): Promise<DriverAdapter> {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun
  if (!bun) throw new Error('Bun.SQL exists only under Bun')
  const connect = async (url: string): Promise<Session> => {
    const sql = new bun.SQL(url, { max: 1 })
    await sql`SELECT 1`
    return {
      selectOne: () => sql`SELECT 1`,
      selectInt: (value) => sql`SELECT ${value}::int`,
      readAll: (text) => sql.unsafe(text),
      execute: (text, params) => sql.unsafe(text, params),
      executeNamed: (_name, text, params) => sql.unsafe(text, params),
      copyIn: undefined,
      cursor: undefined,
      close: () => sql.close(),
    }
  }
  return {
    version: `Bun.SQL (Bun ${bun.version})`,
    connect,
    pool: undefined,
    missing: { pool: ONLY, copyIn: ONLY, cursor: ONLY },
    notes: [
      'Bun suite: tusk-bun and postgres-bun are the tusk and postgres adapters unchanged, in a child run by Bun instead of Node; bunsql is Bun.SQL with `max: 1` (the connection), prepared statements (its default).',
    ],
  }
}
