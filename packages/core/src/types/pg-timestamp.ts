/**
 * PgTimestamp: a Date that keeps PostgreSQL's microseconds, so timestamps round-trip
 * exactly. Pure: no I/O.
 */
import { InterfaceError } from '../errors/index.js'
import { formatInstant } from './calendar.js'

/** Brand shared by every copy of the package (ESM and CJS), for a cross-copy `instanceof`. */
const BRAND = Symbol.for('tusk.types.PgTimestamp')

/**
 * A `Date` with the microseconds PostgreSQL keeps beyond the millisecond: `getTime()` is the
 * millisecond instant (floored), `microseconds` the 0–999 microseconds after it. Passed back as a
 * parameter it encodes to the exact microsecond. Everything that accepts a Date accepts it.
 */
export class PgTimestamp extends Date {
  /** Microseconds (0–999) after the millisecond `getTime()` returns. */
  readonly microseconds: number

  /** The instant `epochMs` milliseconds plus `microseconds` (0–999) after 1970-01-01 UTC. */
  constructor(epochMs: number, microseconds = 0) {
    super(epochMs)
    if (!(microseconds >= 0 && microseconds <= 999 && Number.isInteger(microseconds))) {
      throw new InterfaceError('PgTimestamp microseconds must be an integer from 0 to 999')
    }
    this.microseconds = microseconds
  }

  /** `instanceof` that holds across two loaded copies of the package (ESM and CJS). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    )
  }

  /** The instant `epochMicroseconds` microseconds after 1970-01-01 UTC. */
  static fromEpochMicroseconds(epochMicroseconds: bigint): PgTimestamp {
    let ms = epochMicroseconds / 1000n
    let micro = epochMicroseconds - ms * 1000n
    if (micro < 0n) {
      micro += 1000n
      ms -= 1n
    }
    return new PgTimestamp(Number(ms), Number(micro))
  }

  /** Microseconds since 1970-01-01 UTC, exact; throws for an invalid date. */
  get epochMicroseconds(): bigint {
    const ms = this.getTime()
    if (Number.isNaN(ms)) throw new InterfaceError('PgTimestamp is an invalid date')
    return BigInt(ms) * 1000n + BigInt(this.microseconds)
  }

  /** The ISO 8601 text PostgreSQL reads, to the microsecond, in UTC (`...T12:00:00.123456+00:00`). */
  toPostgres(): string {
    const ms = this.getTime()
    if (Number.isNaN(ms)) throw new InterfaceError('PgTimestamp is an invalid date')
    return formatInstant(ms, this.microseconds, true)
  }
}

Object.defineProperty(PgTimestamp.prototype, BRAND, { value: true })
