/**
 * Runs one pg `Query` on a @tusk/core session or pool: without values (and without a name) as a
 * simple-protocol script, one Result per statement; otherwise one statement through the extended
 * protocol with pg's parameter preparation. Values arrive as the server's text (see
 * `raw-types.ts`) and are parsed here with pg's parsers, so every `types` hook of pg applies.
 */
import type { FieldInfo, SimpleQueryResult } from '@tusk/core'
import { asPgError, MESSAGES, misuse } from './errors.js'
import { prepareValue } from './prepare-value.js'
import type { Query } from './query.js'
import { type FieldDef, Result } from './result.js'
import type { QueryResult } from './result-types.js'
import type { CustomTypesConfig } from './types.js'

/** What a query runs on: a session, a pool client or a pool. */
export interface QueryTarget {
  query(
    text: string,
    params: readonly unknown[],
    options: { rowMode: 'array'; timeout?: number },
  ): Promise<{ command: string; rowCount: number | null; rows: unknown[]; fields: FieldInfo[] }>
  exec(text: string, options?: { timeout?: number }): Promise<SimpleQueryResult[]>
  /** COMMIT that rejects when the server could only roll back (sessions and pool clients). */
  commit?(options?: { timeout?: number }): Promise<void>
}

/** A statement that is only a COMMIT (`COMMIT`, `END`, optionally `WORK`/`TRANSACTION` and `;`). */
const LONE_COMMIT = /^\s*(?:commit|end)(?:\s+(?:work|transaction))?\s*;?\s*$/i

/** A core column as pg's field. */
export function toFieldDef(f: FieldInfo): FieldDef {
  return {
    name: f.name,
    tableID: f.tableOid,
    columnID: f.columnId,
    dataTypeID: f.dataTypeOid,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: f.format === 1 ? 'binary' : 'text',
  }
}

/** The command tag pg would have seen (`INSERT 0 1`, `SELECT 3`, `CREATE TABLE`). */
export function commandTag(command: string, rowCount: number | null): string {
  if (rowCount === null) return command
  return command === 'INSERT' ? `INSERT 0 ${rowCount}` : `${command} ${rowCount}`
}

function buildResult(
  query: Query,
  types: CustomTypesConfig,
  command: string,
  rowCount: number | null,
  fields: readonly FieldInfo[],
  rows: unknown[],
): Result {
  const result = new Result(query.rowMode, query.types ?? types)
  if (command !== '') result.addCommandComplete({ text: commandTag(command, rowCount) })
  result.addFields(fields.map(toFieldDef))
  const emitRows = query.listenerCount('row') > 0
  for (let i = 0; i < rows.length; i++) {
    const row = result.parseRow(rows[i] as (string | null)[])
    // The core's row of texts is ours and done with: let it go now, not after the last row,
    // so a large result does not hold both shapes of every row at once.
    rows[i] = undefined
    if (emitRows) query.emit('row', row, result)
    result.addRow(row)
  }
  return result
}

/** Checks a query as pg does before sending it; the error pg reports, or undefined. */
export function invalidQuery(query: Query): Error | undefined {
  if (typeof query.text !== 'string' && typeof query.name !== 'string')
    return misuse(MESSAGES.noText)
  if (query.values !== undefined && query.values !== null && !Array.isArray(query.values)) {
    return misuse(MESSAGES.valuesNotArray)
  }
  return undefined
}

/** Runs `query` on `target`; rejects with the pg-shaped error. */
export async function execute(
  target: QueryTarget,
  query: Query,
  types: CustomTypesConfig,
  timeout: number | undefined,
): Promise<Result | Result[]> {
  const invalid = invalidQuery(query)
  if (invalid !== undefined) throw invalid
  const limit = query.query_timeout ?? timeout
  try {
    if ((query.values === undefined || query.values === null) && query.name === undefined) {
      if (target.commit !== undefined && LONE_COMMIT.test(query.text)) {
        // The server answers the COMMIT of a failed transaction with ROLLBACK; pg resolves that
        // as a success. Here it rejects (InFailedSqlTransaction, cause: what failed it).
        await target.commit(limit === undefined ? undefined : { timeout: limit })
        return buildResult(query, types, 'COMMIT', null, [], [])
      }
      const results = await target.exec(
        query.text,
        limit === undefined ? undefined : { timeout: limit },
      )
      const built = results.map((r) =>
        buildResult(query, types, r.command, r.rowCount, r.fields, r.rows),
      )
      if (built.length === 1) return built[0] as Result
      if (built.length === 0) return new Result(query.rowMode, query.types ?? types)
      return built
    }
    const params = (query.values ?? []).map(prepareValue)
    const options: { rowMode: 'array'; timeout?: number } = { rowMode: 'array' }
    if (limit !== undefined) options.timeout = limit
    const r = await target.query(query.text, params, options)
    return buildResult(query, types, r.command, r.rowCount, r.fields, r.rows)
  } catch (error) {
    throw asPgError(error)
  }
}

/** Delivers the outcome of `query` as pg does: callback (or promise), then `end`/`error` events. */
export function settle(query: Query, error: unknown, result?: Result | Result[]): void {
  if (error !== undefined) {
    const err = error as Error
    if (query.callback) query.callback(err, undefined as unknown as QueryResult)
    else if (query.listenerCount('error') > 0) query.emit('error', err)
    return
  }
  const last = Array.isArray(result) ? result[result.length - 1] : result
  if (query.callback) query.callback(null as unknown as Error, result as unknown as QueryResult)
  query.emit('end', last)
}
