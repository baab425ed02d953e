/** The timing and checking steps every in-process workload shares, Node drivers and ORMs alike. */
import { performance } from 'node:perf_hooks'
import type { Row } from './drivers/driver.js'
import { COLUMNS } from './fixtures.js'

/** Seconds since `since` (a `performance.now()` reading). */
export function seconds(since: number): number {
  return (performance.now() - since) / 1000
}

/**
 * Reads every value of `row` (so that a driver that decodes lazily pays for it too) and returns
 * how many it found; the workloads check that against rows × columns.
 */
export function touch(row: Row): number {
  let values = 0
  for (const key in row) if (row[key] !== undefined) values++
  return values
}

/**
 * Makes `total` calls of `call(i)` with `inFlight` of them outstanding at any time and returns the
 * seconds it took; with `latencies`, records each call's time from the call to its result
 * (waiting for a connection or behind a pipelined statement included), in ms, at index i.
 */
export async function saturate(
  call: (i: number) => Promise<unknown>,
  total: number,
  inFlight: number,
  latencies?: Float64Array,
): Promise<number> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++
      if (!latencies) {
        await call(i)
        continue
      }
      const t = performance.now()
      await call(i)
      latencies[i] = performance.now() - t
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: inFlight }, worker))
  return seconds(start)
}

/** Throws unless `got` rows arrived where `want` were expected. */
export function expectRows(got: number, want: number): void {
  if (got !== want) throw new Error(`expected ${want} rows, got ${got}`)
}

/** Throws unless every column of every one of `rows` rows was read. */
export function expectValues(got: number, rows: number): void {
  const want = rows * COLUMNS.length
  if (got !== want) throw new Error(`expected ${want} values in ${rows} rows, read ${got}`)
}
