/**
 * Runs one pg `Query` on a @tusk/core session or pool: without values (and without a name) as a
 * simple-protocol script, one Result per statement; otherwise one statement through the extended
 * protocol with pg's parameter preparation. Values arrive as the server's text (see
 * `raw-types.ts`) and are parsed with pg's parsers by the row builder the core calls for each
 * row, so every `types` hook of pg applies and each row is built once.
 */
import type { FieldInfo, RowBuilder, SimpleQueryResult } from '@tusk/core'
import { asPgError, MESSAGES, misuse } from './errors.js'
import { prepareValue } from './prepare-value.js'
import type { Query } from './query.js'
import { type FieldDef, type QueryResultRow, Result } from './result.js'
import type { QueryResult } from './result-types.js'
import type { CustomTypesConfig } from './types.js'

/** What a query runs on: a session, a pool client or a pool. */
export interface QueryTarget {
  query(
    text: string,
    params: readonly unknown[],
    options: { rowBuilder: RowBuilder<QueryResultRow>; timeout?: number },
  ): Promise<{ command: string; rowCount: number | null; rows: unknown[]; fields: FieldInfo[] }>
  exec<R>(
    text: string,
    options: { rowBuilder: RowBuilder<R>; timeout?: number },
  ): Promise<SimpleQueryResult<R>[]>
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

/**
 * Builds one query's rows inside the core, as they arrive: for each result's columns a Result
 * picks pg's parsers (the query's `types`, else the client's, else `pg.types`), and the core
 * hands it each row's texts to parse into pg's row — no row of texts is kept in between.
 */
class RowBuilders {
  /** The Result of each columns list the core described (the core returns the same array). */
  readonly #results = new Map<readonly FieldInfo[], Result>()
  readonly #query: Query
  readonly #types: CustomTypesConfig

  constructor(query: Query, types: CustomTypesConfig) {
    this.#query = query
    this.#types = types
  }

  /** The core's row builder (see RowBuilder in @tusk/core). */
  readonly build: RowBuilder<QueryResultRow> = (fields) => {
    const result = this.#newResult(fields)
    this.#results.set(fields, result)
    return (values) => result.parseRow(values as readonly (string | null)[])
  }

  #newResult(fields: readonly FieldInfo[]): Result {
    const result = new Result(this.#query.rowMode, this.#query.types ?? this.#types)
    result.addFields(fields.map(toFieldDef))
    return result
  }

  /** The Result of one statement, its rows as the builder built them. */
  result(
    command: string,
    rowCount: number | null,
    fields: readonly FieldInfo[],
    rows: QueryResultRow[],
  ): Result {
    const query = this.#query
    const result = this.#results.get(fields) ?? this.#newResult(fields)
    if (command !== '') result.addCommandComplete({ text: commandTag(command, rowCount) })
    if (rows.length === 0 || query.listenerCount('row') === 0) {
      result.rows = rows
      return result
    }
    // As pg: each 'row' listener sees the result holding the rows before this one.
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as QueryResultRow
      query.emit('row', row, result)
      result.addRow(row)
    }
    return result
  }
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
        return new RowBuilders(query, types).result('COMMIT', null, [], [])
      }
      const builders = new RowBuilders(query, types)
      const results = await target.exec<QueryResultRow>(
        query.text,
        limit === undefined
          ? { rowBuilder: builders.build }
          : { rowBuilder: builders.build, timeout: limit },
      )
      const built = results.map((r) => builders.result(r.command, r.rowCount, r.fields, r.rows))
      if (built.length === 1) return built[0] as Result
      if (built.length === 0) return new Result(query.rowMode, query.types ?? types)
      return built
    }
    const params = (query.values ?? []).map(prepareValue)
    const builders = new RowBuilders(query, types)
    const options: { rowBuilder: RowBuilder<QueryResultRow>; timeout?: number } = {
      rowBuilder: builders.build,
    }
    if (limit !== undefined) options.timeout = limit
    const r = await target.query(query.text, params, options)
    return builders.result(r.command, r.rowCount, r.fields, r.rows as QueryResultRow[])
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
