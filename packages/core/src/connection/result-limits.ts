// The result-size guard's defaults. A plain query keeps its whole result in memory; past what
// the process can hold it would be killed rather than fail, so by default one result's row data
// may take a share of the JS heap limit, and the error points to cursor().
import type { ResultLimits } from './connection-types.js'

/** Share of the JS heap limit one query's row data may take by default (decoded rows take more). */
export const DEFAULT_HEAP_SHARE = 1 / 8

/**
 * The connection's result limits: `maxBytes` as given (0 turns the guard off), else a share of
 * `heapLimit()` when the runtime knows it; `maxRows` as given.
 */
export function resultLimits(
  options: ResultLimits,
  heapLimit: (() => number | undefined) | undefined,
): ResultLimits {
  const heap = options.maxBytes === undefined ? heapLimit?.() : undefined
  const maxBytes =
    options.maxBytes ?? (heap !== undefined ? Math.floor(heap * DEFAULT_HEAP_SHARE) : undefined)
  return {
    ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
    ...(maxBytes !== undefined && maxBytes > 0 ? { maxBytes } : {}),
  }
}
