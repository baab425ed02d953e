/**
 * `@tusk/core` errors as Prisma's `DriverAdapterError` kinds, the original error kept on the
 * result (`original`), so an app can still reach the core's class, SQLSTATE and fields.
 */
import { DriverAdapterError, type Error as MappedErrorPayload } from '@prisma/driver-adapter-utils'
import { errors } from '@tusk/core'

type Payload = MappedErrorPayload

/**
 * The `DriverAdapterError` this adapter throws: Prisma reads `cause` (the mapped kind, with
 * `originalCode` and `originalMessage`); `original` is the `@tusk/core` error it came from. Its
 * `name` stays `DriverAdapterError`, which is how Prisma recognises it.
 */
export class TuskDriverAdapterError extends DriverAdapterError {
  /** The `@tusk/core` error (a `TuskError` subclass) this one maps. */
  readonly original: Error

  constructor(payload: Payload, original: Error) {
    super(payload)
    this.original = original
  }
}

/** `Key (a, b)=(…)` in a server detail: the column list, as Prisma's engines read it. */
function keyFields(detail: string | undefined): string[] | undefined {
  const list = detail?.match(/^Key \((.+?)\)=/)?.[1]
  return list?.split(', ').map((f) => f.replace(/^"(.*)"$/, '$1'))
}

/** The first double-quoted name in a server message (`relation "x" does not exist`). */
function quoted(message: string): string | undefined {
  return message.match(/"((?:[^"]|"")*)"/)?.[1]?.replaceAll('""', '"')
}

function sqlstatePayload(err: errors.DatabaseError, code: string): Payload | undefined {
  const e = err as errors.DatabaseError & {
    detail?: string
    column?: string
    constraint?: string
    table?: string
    hint?: string
    severity?: string
  }
  switch (code) {
    case '22001':
      return { kind: 'LengthMismatch', ...(e.column === undefined ? {} : { column: e.column }) }
    case '22003':
      return { kind: 'ValueOutOfRange', cause: e.message }
    case '22P02':
      return { kind: 'InvalidInputValue', message: e.message }
    case '23505': {
      const fields = keyFields(e.detail)
      const constraint =
        fields !== undefined
          ? { fields }
          : e.constraint !== undefined
            ? { index: e.constraint }
            : undefined
      return {
        kind: 'UniqueConstraintViolation',
        ...(constraint === undefined ? {} : { constraint }),
        ...(e.table === undefined ? {} : { table: e.table }),
      }
    }
    case '23502':
      return {
        kind: 'NullConstraintViolation',
        ...(e.column === undefined ? {} : { constraint: { fields: [e.column] } }),
      }
    case '23503': {
      const fields = keyFields(e.detail)
      const constraint =
        e.constraint !== undefined
          ? { index: e.constraint }
          : fields !== undefined
            ? { fields }
            : undefined
      return { kind: 'ForeignKeyConstraintViolation', ...(constraint ? { constraint } : {}) }
    }
    case '23001':
      return {
        kind: 'RestrictViolation',
        ...(e.constraint === undefined ? {} : { constraint: { index: e.constraint } }),
      }
    case '3D000': {
      const db = quoted(e.message)
      return { kind: 'DatabaseDoesNotExist', ...(db === undefined ? {} : { db }) }
    }
    case '42P04': {
      const db = quoted(e.message)
      return { kind: 'DatabaseAlreadyExists', ...(db === undefined ? {} : { db }) }
    }
    case '28000': {
      const db = e.message.match(/database "((?:[^"]|"")*)"/)?.[1]
      return { kind: 'DatabaseAccessDenied', ...(db === undefined ? {} : { db }) }
    }
    case '28P01': {
      const user = e.message.match(/user "((?:[^"]|"")*)"/)?.[1]
      return { kind: 'AuthenticationFailed', ...(user === undefined ? {} : { user }) }
    }
    case '40001':
    case '40P01':
      return { kind: 'TransactionWriteConflict' }
    case '42P01': {
      const table = quoted(e.message)
      return { kind: 'TableDoesNotExist', ...(table === undefined ? {} : { table }) }
    }
    case '42703': {
      const column = e.message.match(/^column (.+) does not exist/)?.[1]?.replace(/"/g, '')
      return { kind: 'ColumnNotFound', ...(column === undefined ? {} : { column }) }
    }
    case '53300':
      return { kind: 'TooManyConnections', cause: e.message }
    default:
      return {
        kind: 'postgres',
        code,
        severity: e.severity ?? 'ERROR',
        message: e.message,
        detail: e.detail,
        column: e.column,
        hint: e.hint,
      }
  }
}

/**
 * The SQLSTATE of an error: the server's `code`, or the class's own for an error the core raises
 * itself on the server's behalf (`InFailedSqlTransaction` for a COMMIT that rolled back).
 */
function sqlstateOf(err: Error): string | undefined {
  const code =
    (err as { code?: unknown }).code ?? (err.constructor as { sqlstate?: unknown }).sqlstate
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

function payloadOf(err: Error): Payload | undefined {
  if (err instanceof errors.QueryCanceled) {
    const reason = (err as { reason?: string }).reason
    if (reason === 'timeout') return { kind: 'SocketTimeout' }
  }
  if (err instanceof errors.ConnectTimeout) return { kind: 'SocketTimeout' }
  if (err instanceof errors.TlsError) return { kind: 'TlsConnectionError', reason: err.message }
  if (err instanceof errors.ConnectionLost || err instanceof errors.ConnectionClosed) {
    return { kind: 'ConnectionClosed' }
  }
  const code = sqlstateOf(err)
  if (err instanceof errors.DatabaseError && code !== undefined) return sqlstatePayload(err, code)
  // A checkout that timed out while every connect failed: the connect failure says why.
  if (err instanceof errors.PoolTimeoutError && err.cause instanceof Error)
    return payloadOf(err.cause)
  if (err instanceof errors.ConnectionError) {
    const host = (err as { host?: string }).host
    const [name, port] = host?.match(/^(.*):(\d+)$/)?.slice(1) ?? [host]
    return {
      kind: 'DatabaseNotReachable',
      ...(name === undefined ? {} : { host: name }),
      ...(port === undefined ? {} : { port: Number(port) }),
    }
  }
  return undefined
}

/**
 * The error Prisma should see for `err`: a `TuskDriverAdapterError` for every failure Prisma has
 * a kind for, any other server error as the `postgres` kind, and anything else (misuse of the
 * core, a pool timeout) as it is, which Prisma reports as a JavaScript error keeping it whole.
 */
export function toPrismaError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof DriverAdapterError) return err
  const payload = payloadOf(err)
  if (payload === undefined) return err
  const code = sqlstateOf(err) ?? (err.cause instanceof Error ? sqlstateOf(err.cause) : undefined)
  return new TuskDriverAdapterError(
    {
      ...payload,
      ...(code === undefined ? {} : { originalCode: code }),
      originalMessage: err.message,
    },
    err,
  )
}
