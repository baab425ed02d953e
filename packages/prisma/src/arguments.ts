/**
 * Prisma's query arguments as values `@tusk/core` sends: date-times as UTC text with an explicit
 * zone (so a `timestamptz` column never reads them in the session's TimeZone), dates and times as
 * the column wants them, bytes as `Uint8Array`, lists element by element.
 */
import type { ArgType } from '@prisma/driver-adapter-utils'

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

function timeOf(date: Date): string {
  const ms = date.getUTCMilliseconds()
  return (
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    (ms === 0 ? '' : `.${pad(ms, 3)}`)
  )
}

function dateOf(date: Date): string {
  const year = date.getUTCFullYear()
  const text = `${pad(Math.abs(year), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  // Year 0 is 1 BC in PostgreSQL's calendar, -1 is 2 BC.
  return year > 0 ? text : `${pad(1 - year, 4)}${text.slice(text.indexOf('-'))} BC`
}

/** A date-time for the column type Prisma names (`dbType`), in UTC. */
function dateTimeArgument(date: Date, dbType: string | undefined): string {
  switch (dbType?.toUpperCase()) {
    case 'DATE':
      return dateOf(date)
    case 'TIME':
      return timeOf(date)
    case 'TIMETZ':
      return `${timeOf(date)}+00`
    default: {
      // The zone is honoured by timestamptz and ignored by timestamp (PostgreSQL docs, 8.5.1.3),
      // which then stores the UTC wall-clock time, as Prisma's own engines do.
      const year = date.getUTCFullYear()
      if (year <= 0) return `${dateOf(date).replace(' BC', '')} ${timeOf(date)}+00 BC`
      return `${dateOf(date)} ${timeOf(date)}+00`
    }
  }
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value)
    return Number.isNaN(date.getTime()) ? undefined : date
  }
  return undefined
}

/** One argument, converted for its `ArgType`; unknown shapes pass through to the core's encoders. */
export function prismaArgument(value: unknown, type: ArgType | undefined): unknown {
  if (value === null || value === undefined) return null
  if (Array.isArray(value)) return value.map((v) => prismaArgument(v, type))
  switch (type?.scalarType) {
    case 'datetime': {
      const date = toDate(value)
      return date === undefined ? value : dateTimeArgument(date, type.dbType)
    }
    case 'bytes':
      if (typeof value === 'string') return Uint8Array.from(Buffer.from(value, 'base64'))
      break
    default:
      if (value instanceof Date) return dateTimeArgument(value, type?.dbType)
  }
  if (ArrayBuffer.isView(value) && !(value instanceof Uint8Array)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  }
  return value
}

/** Every argument of a query, converted by its `ArgType` (the arrays have the same length). */
export function prismaArguments(args: readonly unknown[], types: readonly ArgType[]): unknown[] {
  const out = new Array<unknown>(args.length)
  for (let i = 0; i < args.length; i++) out[i] = prismaArgument(args[i], types[i])
  return out
}
