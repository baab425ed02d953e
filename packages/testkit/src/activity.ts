/**
 * What the server says its sessions are doing (pg_stat_activity), for tests that must wait until
 * a statement has reached the server before they cancel, terminate or cut it. Pair with `until`.
 */

/** The least a client must offer to ask the server: a Tusk session and a `pg` client both do. */
export interface ActivityClient {
  query(text: string, params: readonly unknown[]): Promise<{ rows: readonly unknown[] }>
}

/**
 * True while backend `pid` runs (state `active`) a statement whose text starts with `prefix`.
 * Ask through another session than the one that runs the statement.
 */
export async function runningStatement(
  admin: ActivityClient,
  pid: number,
  prefix: string,
): Promise<boolean> {
  const r = await admin.query(
    "select 1 from pg_stat_activity where pid = $1 and state = 'active' and starts_with(query, $2)",
    [pid, prefix],
  )
  return r.rows.length === 1
}
