/**
 * `GET /api/health`: 200 `{ ok: true, server, pool }` when a statement runs on the database
 * (`server` is PostgreSQL's version, `pool` the @tusk/core pool's counters); 503 when it does not.
 */
import { sql } from 'drizzle-orm'
import { db } from '../../../db/client'

export async function GET(): Promise<Response> {
  try {
    const { rows } = await db().execute<{ server: string }>(
      sql`select current_setting('server_version') as server`,
    )
    return Response.json({ ok: true, server: rows[0]!.server, pool: db().$client.stats() })
  } catch (err) {
    console.error(err)
    return Response.json({ ok: false }, { status: 503 })
  }
}
