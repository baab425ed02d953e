import { describe, expect, it } from 'vitest'
import {
  CannotConnectNow,
  DatabaseError,
  DeadlockDetected,
  IntegrityError,
  isTransientSqlstate,
  OperationalError,
  SyntaxError as PgSyntaxError,
  QueryCanceled,
  type ServerErrorFields,
  TuskError,
  UniqueViolation,
} from './index.js'
import { fromServerError, SERVER_ERROR_FIELDS } from './server-error.js'

const UNIQUE: ServerErrorFields = {
  severity: 'ERROR',
  severityNonLocalized: 'ERROR',
  code: '23505',
  message: 'duplicate key value violates unique constraint "users_email_key"',
  detail: 'Key (email)=(a@example.com) already exists.',
  hint: 'Use another email.',
  position: '8',
  internalPosition: '3',
  internalQuery: 'select 1',
  where: 'SQL function "f"',
  schema: 'public',
  table: 'users',
  column: 'email',
  dataType: 'text',
  constraint: 'users_email_key',
  file: 'nbtinsert.c',
  line: '666',
  routine: '_bt_check_unique',
}

describe('fromServerError', () => {
  it('builds the class of the SQLSTATE with every field copied under pg names', () => {
    const err = fromServerError(UNIQUE, {
      query: 'insert into users values ($1)',
      host: 'db:5432',
      phase: 'query',
    })
    expect(err).toBeInstanceOf(UniqueViolation)
    expect(err).toBeInstanceOf(IntegrityError)
    expect(err).toBeInstanceOf(TuskError)
    expect(err.name).toBe('UniqueViolation')
    for (const name of SERVER_ERROR_FIELDS) expect(err[name]).toBe(UNIQUE[name])
    expect(err.code).toBe('23505')
    expect(err.dataType).toBe('text')
    expect(err.query).toBe('insert into users values ($1)')
    expect(err.host).toBe('db:5432')
    expect(err.phase).toBe('query')
    expect(err.inDoubt).toBe(false)
    expect(err.transient).toBe(false)
    expect(err.safeToRetry).toBe(false)
    expect(err.serverMessage).toBe(UNIQUE.message)
    expect(Object.keys(err)).not.toContain('serverMessage')
  })

  it('leaves absent fields unset', () => {
    const err = fromServerError({ code: '42P01', message: 'relation "t" does not exist' })
    expect(err.message).toBe('relation "t" does not exist')
    expect(Object.keys(err).sort()).toEqual(['code', 'inDoubt', 'safeToRetry', 'transient'])
    expect('detail' in err).toBe(false)
  })

  it('falls back for unknown and missing codes', () => {
    const unknown = fromServerError({ code: '23ZZZ', message: 'new kind of violation' })
    expect(unknown.constructor).toBe(IntegrityError)
    expect(unknown.code).toBe('23ZZZ')
    const none = fromServerError({ message: 'no code' })
    expect(none.constructor).toBe(DatabaseError)
    expect(fromServerError({}).message).toBe('server error')
  })

  it('adds the query line and a caret after the server message', () => {
    const query = 'select *\nfro t'
    const err = fromServerError(
      { code: '42601', message: 'syntax error at or near "fro"', position: '10' },
      { query },
    )
    expect(err).toBeInstanceOf(PgSyntaxError)
    expect(err.message).toBe('syntax error at or near "fro"\nLINE 2: fro t\n        ^')
    expect(err.serverMessage).toBe('syntax error at or near "fro"')
    expect(err.position).toBe('10')
    expect(err.stack).toContain('LINE 2: fro t')
  })

  it('keeps the server message alone when the query text is unknown', () => {
    const err = fromServerError({ code: '42601', message: 'syntax error', position: '10' })
    expect(err.message).toBe('syntax error')
  })

  it('marks retryable SQLSTATEs transient, and not a cancel', () => {
    for (const code of [
      '40001',
      '40P01',
      '55P03',
      '53300',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08P01',
    ]) {
      expect(fromServerError({ code, message: 'x' }).transient, code).toBe(true)
      expect(isTransientSqlstate(code)).toBe(true)
    }
    for (const code of ['57014', '23505', '42601', '40003', 'XX000', '53100']) {
      expect(fromServerError({ code, message: 'x' }).transient, code).toBe(false)
    }
    expect(fromServerError({ code: '57014', message: 'canceled' })).toBeInstanceOf(QueryCanceled)
    expect(fromServerError({ code: '40P01', message: 'x' })).toBeInstanceOf(DeadlockDetected)
    expect(isTransientSqlstate(undefined)).toBe(false)
  })

  it('lets the context decide transient, safeToRetry and inDoubt', () => {
    const err = fromServerError(
      { code: '57014', message: 'x' },
      { transient: true, safeToRetry: true, inDoubt: true },
    )
    expect([err.transient, err.safeToRetry, err.inDoubt]).toEqual([true, true, true])
    const commit = fromServerError({ code: '40001', message: 'x' }, { transient: false })
    expect(commit.transient).toBe(false)
  })

  it('is safe to retry before any statement was sent', () => {
    const err = fromServerError(
      { code: '57P03', severity: 'FATAL', message: 'the database system is starting up' },
      { phase: 'startup' },
    )
    expect(err).toBeInstanceOf(CannotConnectNow)
    expect(err).toBeInstanceOf(OperationalError)
    expect(err.safeToRetry).toBe(true)
    expect(err.transient).toBe(true)
    expect(fromServerError({ code: '57P01', message: 'x' }, { phase: 'query' }).safeToRetry).toBe(
      false,
    )
  })

  it('names the setting or event behind a session or statement the server ended itself', () => {
    const idle = fromServerError({
      code: '25P03',
      message: 'terminating connection due to idle-in-transaction timeout',
    })
    expect(idle.message).toBe(
      'terminating connection due to idle-in-transaction timeout (the server setting idle_in_transaction_session_timeout ended a session left idle inside a transaction)',
    )
    expect(idle.serverMessage).toBe('terminating connection due to idle-in-transaction timeout')
    expect(
      fromServerError({
        code: '57P05',
        message: 'terminating connection due to idle-session timeout',
      }).message,
    ).toContain('idle_session_timeout')
    expect(
      fromServerError({
        code: '57P01',
        message: 'terminating connection due to administrator command',
      }).message,
    ).toContain('pg_terminate_backend()')
    expect(
      fromServerError({
        code: '40001',
        message: 'canceling statement due to conflict with recovery',
      }).message,
    ).toContain('max_standby_streaming_delay')
    expect(fromServerError({ code: '40001', message: 'could not serialize access' }).message).toBe(
      'could not serialize access',
    )
  })

  it('keeps the cause chain', () => {
    const root = new Error('socket hang up')
    const middle = new OperationalError('lost', { cause: root })
    const err = fromServerError({ code: '08006', message: 'connection failure' }, { cause: middle })
    expect(err.cause).toBe(middle)
    expect((err.cause as Error).cause).toBe(root)
  })
})
