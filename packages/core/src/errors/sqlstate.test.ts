import { describe, expect, it, vi } from 'vitest'
import * as errors from './index.js'
import {
  AdminShutdown,
  DatabaseError,
  DataError,
  FeatureNotSupported,
  IntegrityConstraintViolation,
  IntegrityError,
  InterfaceError,
  InternalError,
  InternalError_,
  InvalidTextRepresentation,
  lookup,
  NoData,
  NotSupportedError,
  OperationalError,
  SyntaxError as PgSyntaxError,
  ProgrammingError,
  QueryCanceled,
  SerializationFailure,
  TuskError,
  UniqueViolation,
} from './index.js'
import {
  SQLSTATE_CLASSES,
  SQLSTATE_ERRORS,
  SQLSTATE_SOURCE_VERSION,
} from './sqlstate-tables.generated.js'

describe('generated SQLSTATE classes', () => {
  it('puts UniqueViolation under IntegrityError, DatabaseError and TuskError', () => {
    const e = new UniqueViolation('duplicate key')
    expect(e).toBeInstanceOf(UniqueViolation)
    expect(e).toBeInstanceOf(IntegrityError)
    expect(e).toBeInstanceOf(DatabaseError)
    expect(e).toBeInstanceOf(TuskError)
    expect(e).toBeInstanceOf(Error)
    expect(e).not.toBeInstanceOf(DataError)
    expect(e).not.toBeInstanceOf(InterfaceError)
    expect(e.name).toBe('UniqueViolation')
    expect(UniqueViolation.sqlstate).toBe('23505')
    expect(UniqueViolation.kind).toBe('UniqueViolation')
    expect(Object.getPrototypeOf(UniqueViolation)).toBe(IntegrityError)
  })

  it('maps each SQLSTATE class to its DB-API parent as psycopg does', () => {
    expect(new SerializationFailure('x')).toBeInstanceOf(OperationalError)
    expect(new QueryCanceled('x')).toBeInstanceOf(OperationalError)
    expect(new AdminShutdown('x')).toBeInstanceOf(OperationalError)
    expect(new PgSyntaxError('x')).toBeInstanceOf(ProgrammingError)
    expect(new InvalidTextRepresentation('x')).toBeInstanceOf(DataError)
    expect(new FeatureNotSupported('x')).toBeInstanceOf(NotSupportedError)
    expect(new InternalError_('x')).toBeInstanceOf(InternalError)
    expect(Object.getPrototypeOf(NoData)).toBe(DatabaseError)
    expect(Object.getPrototypeOf(errors.InFailedSqlTransaction)).toBe(InternalError)
    expect(Object.getPrototypeOf(errors.InvalidPassword)).toBe(OperationalError)
    expect(Object.getPrototypeOf(errors.RaiseException)).toBe(ProgrammingError)
    expect(Object.getPrototypeOf(errors.ConfigFileError)).toBe(OperationalError)
    expect(Object.getPrototypeOf(errors.FdwError)).toBe(OperationalError)
  })

  it('keeps the class-level codes flat under the DB-API parent', () => {
    expect(IntegrityConstraintViolation.sqlstate).toBe('23000')
    expect(Object.getPrototypeOf(IntegrityConstraintViolation)).toBe(IntegrityError)
    expect(new UniqueViolation('x')).not.toBeInstanceOf(IntegrityConstraintViolation)
  })

  it('uses psycopg names where the condition name collides', () => {
    expect(lookup('42601')).toBe(PgSyntaxError)
    expect(PgSyntaxError.name).toBe('SyntaxError')
    expect(lookup('XX000')).toBe(InternalError_)
    expect(lookup('38002')).toBe(errors.ModifyingSqlDataNotPermittedExt)
    expect(lookup('2F002')).toBe(errors.ModifyingSqlDataNotPermitted)
    expect(lookup('39004')).toBe(errors.NullValueNotAllowedExt)
    expect(lookup('08001')).toBe(errors.SqlclientUnableToEstablishSqlconnection)
    expect(lookup('22024')).toBe(errors.UnterminatedCString)
  })

  it('keeps the built-in SyntaxError distinct from SQLSTATE 42601', () => {
    expect(new globalThis.SyntaxError('x')).not.toBeInstanceOf(PgSyntaxError)
    expect(new PgSyntaxError('x')).not.toBeInstanceOf(globalThis.SyntaxError)
  })

  it('generates 253 classes from PostgreSQL 18, one per code, none for classes 00 and 01', () => {
    expect(SQLSTATE_SOURCE_VERSION).toBe('18')
    expect(SQLSTATE_ERRORS.size).toBe(253)
    const classes = new Set(SQLSTATE_ERRORS.values())
    expect(classes.size).toBe(253)
    for (const [code, cls] of SQLSTATE_ERRORS) {
      expect(cls.sqlstate).toBe(code)
      expect(cls.kind).toBe(cls.name)
      expect((errors as Record<string, unknown>)[cls.name]).toBe(cls)
      expect(code.slice(0, 2)).not.toMatch(/^0[01]$/)
    }
    const codes = [...SQLSTATE_ERRORS.keys()]
    expect(codes).toEqual([...codes].sort())
  })

  it('lists every SQLSTATE class with its title', () => {
    expect(SQLSTATE_CLASSES.get('23')).toBe('Integrity Constraint Violation')
    expect(SQLSTATE_CLASSES.get('00')).toBe('Successful Completion')
    expect(SQLSTATE_CLASSES.get('XX')).toBe('Internal Error')
    expect(SQLSTATE_CLASSES.size).toBe(43)
  })
})

describe('lookup', () => {
  it('finds the generated class, case-insensitively', () => {
    expect(lookup('23505')).toBe(UniqueViolation)
    expect(lookup('40001')).toBe(SerializationFailure)
    expect(lookup('22p02')).toBe(InvalidTextRepresentation)
  })

  it('falls back to the DB-API parent of the class for an unknown code', () => {
    expect(lookup('23999')).toBe(IntegrityError)
    expect(lookup('22ZZZ')).toBe(DataError)
    expect(lookup('08XYZ')).toBe(OperationalError)
    expect(lookup('0A123')).toBe(NotSupportedError)
  })

  it('falls back by first character for the letter classes', () => {
    expect(lookup('P1234')).toBe(ProgrammingError)
    expect(lookup('XY000')).toBe(InternalError)
    expect(lookup('HW000')).toBe(OperationalError)
    expect(lookup('F1000')).toBe(OperationalError)
  })

  it('falls back to DatabaseError for unknown classes and garbage', () => {
    expect(lookup('99999')).toBe(DatabaseError)
    expect(lookup('01000')).toBe(DatabaseError)
    expect(lookup('')).toBe(DatabaseError)
    expect(lookup('not a code')).toBe(DatabaseError)
  })
})

describe('instanceof across two copies of the package', () => {
  it('holds for every DB-API level when the module is loaded twice', async () => {
    const a = await import('./index.js')
    vi.resetModules()
    const b = await import('./index.js')
    const bServer = await import('./server-error.js')
    expect(b.UniqueViolation).not.toBe(a.UniqueViolation)
    const fromA = new a.UniqueViolation('dup')
    expect(fromA).toBeInstanceOf(b.UniqueViolation)
    expect(fromA).toBeInstanceOf(b.IntegrityError)
    expect(fromA).toBeInstanceOf(b.DatabaseError)
    expect(fromA).toBeInstanceOf(b.TuskError)
    expect(fromA).not.toBeInstanceOf(b.ForeignKeyViolation)
    expect(fromA).not.toBeInstanceOf(b.OperationalError)
    const fromB = bServer.fromServerError({ code: '40001', message: 'could not serialize' })
    expect(fromB).toBeInstanceOf(a.SerializationFailure)
    expect(fromB).toBeInstanceOf(a.OperationalError)
  })

  it('recognises any object carrying the shared brand', () => {
    const foreign = Object.create(Error.prototype) as Error
    Object.defineProperty(foreign, Symbol.for('tusk.error.kinds'), {
      value: ['UniqueViolation', 'IntegrityError', 'DatabaseError', 'TuskError'],
    })
    expect(foreign).toBeInstanceOf(UniqueViolation)
    expect(foreign).toBeInstanceOf(TuskError)
    expect(foreign).not.toBeInstanceOf(DataError)
    expect(new Error('plain')).not.toBeInstanceOf(TuskError)
    expect(null).not.toBeInstanceOf(TuskError)
  })
})
