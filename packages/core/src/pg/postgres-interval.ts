/**
 * The interval value `pg` returns (its `postgres-interval` objects): own properties `years`,
 * `months`, `days`, `hours`, `minutes`, `seconds` and `milliseconds`, each present only when it
 * is not zero, and `toPostgres()` / `toISO()` / `toISOString()`. Parsed from the text PostgreSQL
 * prints with the default `IntervalStyle` (`postgres`). Pure: imports nothing.
 */

/** The fields a {@link PostgresInterval} is split into, in the order PostgreSQL prints them. */
export type IntervalField =
  | 'years'
  | 'months'
  | 'days'
  | 'hours'
  | 'minutes'
  | 'seconds'
  | 'milliseconds'

const DATE_PART = /([+-]?\d+)\s+(years?|mons?|days?)/g
const TIME_PART = /([+-])?(\d*):(\d\d):(\d\d)\.?(\d{1,6})?/

function unitField(unit: string): IntervalField {
  if (unit.startsWith('y')) return 'years'
  if (unit.startsWith('m')) return 'months'
  return 'days'
}

/** `.5` → 500, `.000123` → 0.123: the fraction's digits are microseconds with zeros dropped. */
function fractionMs(digits: string): number {
  return Number.parseInt(digits.padEnd(6, '0'), 10) / 1000
}

/**
 * An interval shaped as `pg` shapes it: only the non-zero fields are own properties, the time
 * fields carry the sign of the time part, `milliseconds` may have a fraction (microseconds).
 * The class keeps the name of `pg`'s own (`PostgresInterval`), so code that inspects
 * `constructor.name` sees what it sees with `pg`.
 */
export class PostgresInterval {
  declare years?: number
  declare months?: number
  declare days?: number
  declare hours?: number
  declare minutes?: number
  declare seconds?: number
  declare milliseconds?: number

  /** Parses `1 year 2 mons -3 days +04:05:06.789` (IntervalStyle `postgres`). */
  constructor(text: string) {
    if (!text) return
    const timeMatch = TIME_PART.exec(text)
    const dateText = timeMatch ? text.slice(0, timeMatch.index) : text
    for (const m of dateText.matchAll(DATE_PART)) {
      const value = Number.parseInt(m[1]!, 10)
      const field = unitField(m[2]!)
      if (value !== 0 && this[field] === undefined) this[field] = value
    }
    if (timeMatch === null) return
    const sign = timeMatch[1] === '-' ? -1 : 1
    const parts: [IntervalField, number][] = [
      ['hours', timeMatch[2] ? Number.parseInt(timeMatch[2], 10) : 0],
      ['minutes', Number.parseInt(timeMatch[3]!, 10)],
      ['seconds', Number.parseInt(timeMatch[4]!, 10)],
      ['milliseconds', timeMatch[5] ? fractionMs(timeMatch[5]) : 0],
    ]
    for (const [field, value] of parts) if (value) this[field] = sign * value
  }

  /** The interval as PostgreSQL input (`1 years 2 days 3.5 seconds`), `0` when empty. */
  toPostgres(): string {
    const order: IntervalField[] = ['seconds', 'minutes', 'hours', 'days', 'months', 'years']
    const present = order.filter((f) => Object.hasOwn(this, f))
    if (this.milliseconds && !present.includes('seconds')) present.push('seconds')
    if (present.length === 0) return '0'
    return present
      .map((field) => {
        let value: number | string = this[field] ?? 0
        if (field === 'seconds' && this.milliseconds) {
          value = (value + this.milliseconds / 1000).toFixed(6).replace(/\.?0+$/, '')
        }
        return `${value} ${field}`
      })
      .join(' ')
  }

  /** ISO 8601 duration, `P1Y2M3DT4H5M6.789S`. */
  toISO(): string {
    const part = (field: IntervalField, letter: string): string => {
      let value: number | string = this[field] ?? 0
      if (field === 'seconds' && this.milliseconds) {
        value = (value + this.milliseconds / 1000).toFixed(6).replace(/0+$/, '')
      }
      return `${value}${letter}`
    }
    return `P${part('years', 'Y')}${part('months', 'M')}${part('days', 'D')}T${part('hours', 'H')}${part('minutes', 'M')}${part('seconds', 'S')}`
  }

  /** Same as `toISO()`. */
  toISOString(): string {
    return this.toISO()
  }
}
