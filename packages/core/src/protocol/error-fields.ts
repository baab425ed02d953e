/**
 * The one-byte field codes of ErrorResponse/NoticeResponse and the property names Tusk uses.
 * Pure data: imports only error field types (no sockets, timers, promises or Node built-ins).
 */
import type { ServerErrorFields } from '../errors/base.js'

/** A property of ServerErrorFields. */
export type ErrorFieldName = keyof ServerErrorFields

/**
 * Field code → property, in the order the server writes them
 * (protocol-error-fields; src/include/postgres_ext.h PG_DIAG_*).
 */
export const ERROR_FIELD_CODES: readonly (readonly [code: string, name: ErrorFieldName])[] = [
  ['S', 'severity'],
  ['V', 'severityNonLocalized'],
  ['C', 'code'],
  ['M', 'message'],
  ['D', 'detail'],
  ['H', 'hint'],
  ['P', 'position'],
  ['p', 'internalPosition'],
  ['q', 'internalQuery'],
  ['W', 'where'],
  ['s', 'schema'],
  ['t', 'table'],
  ['c', 'column'],
  ['d', 'dataType'],
  ['n', 'constraint'],
  ['F', 'file'],
  ['L', 'line'],
  ['R', 'routine'],
]

const byByte: (ErrorFieldName | undefined)[] = new Array(128).fill(undefined)
for (const [code, name] of ERROR_FIELD_CODES) byByte[code.charCodeAt(0)] = name

/** The property for field code byte `code`, or undefined for a code Tusk does not know. */
export function errorFieldName(code: number): ErrorFieldName | undefined {
  return code < 128 ? byByte[code] : undefined
}
