/** Shared set-up of the adapter's tests: a fresh database per server with the test schema. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { connect, escapeIdentifier } from '@tusk/core'

const schemaSql = readFileSync(path.join(import.meta.dirname, 'prisma', 'schema.sql'), 'utf8')

/** `url` pointed at database `dbname`. */
export function urlFor(url: string, dbname: string): string {
  const u = new URL(url)
  u.pathname = `/${dbname}`
  return u.toString()
}

/**
 * Creates database `dbname` on the server at `url` (dropping a leftover), with the test schema in
 * `public` and, for each of `schemas`, in that schema too. Resolves to its URL.
 */
export async function freshDatabase(
  url: string,
  dbname: string,
  schemas: readonly string[] = [],
): Promise<string> {
  const admin = await connect(url)
  try {
    await admin.exec(`DROP DATABASE IF EXISTS ${escapeIdentifier(dbname)} WITH (FORCE)`)
    await admin.exec(`CREATE DATABASE ${escapeIdentifier(dbname)}`)
  } finally {
    await admin.close()
  }
  const dbUrl = urlFor(url, dbname)
  const db = await connect(dbUrl)
  try {
    await db.exec(schemaSql)
    for (const schema of schemas) {
      await db.exec(
        `CREATE SCHEMA ${escapeIdentifier(schema)}; SET search_path TO ${escapeIdentifier(schema)}; ${schemaSql}`,
      )
    }
  } finally {
    await db.close()
  }
  return dbUrl
}

/** Drops database `dbname`, closing whatever is still connected to it. */
export async function dropDatabase(url: string, dbname: string): Promise<void> {
  const admin = await connect(url)
  try {
    await admin.exec(`DROP DATABASE IF EXISTS ${escapeIdentifier(dbname)} WITH (FORCE)`)
  } finally {
    await admin.close()
  }
}

/** The rejection of `fn`, failing the test when it resolves. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}
