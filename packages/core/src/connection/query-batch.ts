/**
 * Encodes one query's extended-protocol batch into the connection's writer: optional per-query
 * settings, then Parse/Describe/Bind/Execute as the statement plan says, then Sync.
 */
import {
  encodeBind,
  encodeDescribe,
  encodeExecute,
  encodeParse,
  encodeSync,
} from '../protocol/frontend.js'
import type { Writer } from '../protocol/writer.js'
import type { StatementPlan } from './statement-cache.js'

/** Encodes parameters for Bind (the type registry is one). */
export interface ParameterEncoder {
  /** Parameter `index` as text or binary, or null for SQL NULL. */
  encodeParameter(
    value: unknown,
    typeOid: number,
    index: number,
  ): { format: 0 | 1; value: string | Uint8Array | null }
}

/** Server settings that apply to one query only (milliseconds). */
export interface PerQuerySettings {
  statementTimeout?: number | undefined
  lockTimeout?: number | undefined
  idleInTransactionSessionTimeout?: number | undefined
}

/** What to encode. */
export interface QueryBatch {
  text: string
  values: readonly unknown[]
  /** Explicit parameter type OIDs (0 = let the server infer). */
  paramTypes: readonly number[] | undefined
  plan: StatementPlan
  encoder: ParameterEncoder
  /** The type OID to declare for a value sent without an explicit type (bytea for bytes, else 0). */
  inferOid: (value: unknown) => number
  /** Result formats per column for a ready cached statement. */
  resultFormats: readonly (0 | 1)[] | undefined
  settings: PerQuerySettings
}

const SETTING_NAMES: Record<keyof PerQuerySettings, string> = {
  statementTimeout: 'statement_timeout',
  lockTimeout: 'lock_timeout',
  idleInTransactionSessionTimeout: 'idle_in_transaction_session_timeout',
}

const SETTING_KEYS = Object.keys(SETTING_NAMES) as (keyof PerQuerySettings)[]

/**
 * Appends the batch; returns how many statements precede the main one. Per-query settings use
 * `set_config(…, true)`: before the main statement the old value is saved in a placeholder
 * setting and the new one set, after it the old one is restored. Everything up to the Sync is one
 * implicit transaction outside a transaction block, so the settings never outlive the query.
 * Throws InterfaceError (from the encoders) before anything is appended for the main statement.
 */
export function encodeQueryBatch(w: Writer, batch: QueryBatch): number {
  const start = w.length
  try {
    return encodeInto(w, batch)
  } catch (err) {
    w.truncate(start)
    throw err
  }
}

function encodeInto(w: Writer, batch: QueryBatch): number {
  const { text, values, plan } = batch
  const params = new Array<string | Uint8Array | null>(values.length)
  const formats = new Array<0 | 1>(values.length)
  const known =
    plan.kind === 'cached' && plan.statement.state === 'ready'
      ? plan.statement.paramOids
      : undefined
  for (let i = 0; i < values.length; i++) {
    const oid = batch.paramTypes?.[i] ?? known?.[i] ?? 0
    const p = batch.encoder.encodeParameter(values[i], oid, i)
    params[i] = p.value
    formats[i] = p.format
  }
  // Bytes sent in binary with no declared type must be declared bytea, or `select $1` reads them as text.
  let parseOids: readonly number[] = batch.paramTypes ?? []
  if (batch.paramTypes === undefined && plan.kind !== 'cached') {
    let any = false
    const oids = values.map((v) => {
      const oid = batch.inferOid(v)
      if (oid !== 0) any = true
      return oid
    })
    if (any) parseOids = oids
  }
  let prelude = 0
  let restores: string[] | undefined
  for (const key of SETTING_KEYS) {
    const ms = batch.settings[key]
    if (ms === undefined) continue
    const name = SETTING_NAMES[key]
    const saved = `tusk.saved_${name}`
    encodeParse(
      w,
      '',
      `select set_config('${saved}', current_setting('${name}'), true), set_config('${name}', $1, true)`,
      [],
    )
    encodeBind(w, '', '', [], [`${Math.max(0, Math.round(ms))}ms`], [])
    encodeExecute(w, '', 0)
    restores ??= []
    restores.push(`select set_config('${name}', current_setting('${saved}'), true)`)
    prelude++
  }
  switch (plan.kind) {
    case 'unnamed':
      encodeParse(w, '', text, parseOids)
      encodeBind(w, '', '', formats, params, [])
      encodeDescribe(w, 'P', '')
      break
    case 'prepare':
      encodeParse(w, plan.statement.name, text, parseOids)
      encodeDescribe(w, 'S', plan.statement.name)
      encodeBind(w, '', plan.statement.name, formats, params, [])
      break
    case 'cached':
      if (plan.statement.state === 'ready') {
        encodeBind(w, '', plan.statement.name, formats, params, batch.resultFormats ?? [])
      } else {
        encodeBind(w, '', plan.statement.name, formats, params, [])
        encodeDescribe(w, 'P', '')
      }
      break
  }
  encodeExecute(w, '', 0)
  for (const sql of restores ?? []) {
    encodeParse(w, '', sql, [])
    encodeBind(w, '', '', [], [], [])
    encodeExecute(w, '', 0)
  }
  encodeSync(w)
  return prelude
}
