import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DatabaseError, TuskError } from './base.js'
import { ConfigError } from './client.js'
import { redactSecrets } from './redact.js'
import { fromServerError } from './server-error.js'

const SECRET = 'hunter2'

/** Every connection-string form, with the text it must redact to. */
const CASES: [string, string][] = [
  ['postgres://bob:hunter2@db.example.com:5432/app', 'postgres://bob:***@db.example.com:5432/app'],
  ['postgresql://:hunter2@localhost/app', 'postgresql://:***@localhost/app'],
  ['postgres://bob:hun:ter/2@x@host/app', 'postgres://bob:***@host/app'],
  ['postgres://bob:hunter2@[::1]:5432,h2:5433/app', 'postgres://bob:***@[::1]:5432,h2:5433/app'],
  [
    'postgres://db/app?user=bob&password=hunter2&sslmode=require',
    'postgres://db/app?user=bob&password=***&sslmode=require',
  ],
  ['postgres://db/app?password=hunter2', 'postgres://db/app?password=***'],
  ['postgres://db/app?sslpassword=hunter2#frag', 'postgres://db/app?sslpassword=***#frag'],
  ['host=db password=hunter2 dbname=app', 'host=db password=*** dbname=app'],
  ["host=db password='hun ter2' dbname=app", 'host=db password=*** dbname=app'],
  ["password = 'it\\'s hunter2' user=bob", 'password = *** user=bob'],
  ['password="hunter2 x" user=bob', 'password=*** user=bob'],
  ['sslpassword=hunter2 sslkey=/k', 'sslpassword=*** sslkey=/k'],
  ['PGPASSWORD=hunter2 psql', 'PGPASSWORD=*** psql'],
  ['{"user":"bob","password":"hunter2"}', '{"user":"bob","password":"***"}'],
  ["{ user: 'bob', password: 'hunter2' }", "{ user: 'bob', password: '***' }"],
  ["ALTER ROLE bob PASSWORD 'hunter2'", "ALTER ROLE bob PASSWORD '***'"],
  ["create role bob login password 'hun''ter2'", "create role bob login password '***'"],
]

describe('redactSecrets', () => {
  it.each(CASES)('redacts %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected)
  })

  it('redacts several secrets in one text, and in quotes', () => {
    const text = `connect "postgres://a:${SECRET}@h1/db" then 'host=h2 password=${SECRET}'`
    const out = redactSecrets(text)
    expect(out).not.toContain(SECRET)
    expect(out).toContain('postgres://a:***@h1/db')
  })

  it('handles hostile input in linear time (no regex backtracking blow-up)', {
    timeout: 5_000,
  }, () => {
    for (const text of [
      `${'a'.repeat(200_000)}password`,
      'password'.repeat(25_000),
      '{"password'.repeat(20_000),
      `${'-'.repeat(200_000)}password`,
      'a://a:'.repeat(30_000),
      `postgres://u:${'x'.repeat(200_000)}`,
    ]) {
      expect(typeof redactSecrets(text)).toBe('string')
    }
  })

  it('leaves text without a password as it is', () => {
    for (const text of [
      'password authentication failed for user "bob"',
      'postgres://bob@db.example.com:5432/app',
      'postgres://db.example.com:5432/app?sslmode=require',
      'postgres://[::1]:5432/app',
      'host=db user=bob password= dbname=app'.replace(' dbname=app', ''),
      'no password given',
      'select 1',
    ]) {
      expect(redactSecrets(text)).toBe(text)
    }
  })
})

describe('errors never show a password', () => {
  const uri = `postgres://bob:${SECRET}@db.example.com/app`

  /** Every way an error is usually printed or logged. */
  function renderings(err: Error): string[] {
    return [
      err.message,
      String(err),
      err.toString(),
      err.stack ?? '',
      inspect(err),
      inspect(err, { depth: 0 }),
      inspect({ wrapped: err }, { depth: 5 }),
      JSON.stringify(err),
      JSON.stringify(Object.values(err)),
    ]
  }

  it.each(CASES.map(([input]) => [input]))('redacts %s in a TuskError', (input) => {
    const err = new ConfigError(`invalid connection string: ${input}`)
    for (const text of renderings(err)) expect(text).not.toMatch(/hunter2|hun ter2|hun''ter2/)
    expect(err.message).toContain('***')
  })

  it('redacts the query, host and server fields of a server error', () => {
    const err = fromServerError(
      {
        code: '42601',
        message: `syntax error in "${uri}"`,
        detail: `password=${SECRET}`,
        position: '1',
      },
      { query: `alter role bob password '${SECRET}' x`, host: uri },
    )
    for (const text of renderings(err)) expect(text).not.toContain(SECRET)
    expect(err.query).toBe("alter role bob password '***' x")
    expect(err.detail).toBe('password=***')
  })

  it('redacts a message that was changed after construction', () => {
    const err = new TuskError('boom')
    err.message = `boom: ${uri}`
    expect(String(err)).not.toContain(SECRET)
    expect(JSON.stringify(err)).not.toContain(SECRET)
    expect(inspect(err)).not.toContain(SECRET)
  })

  it('redacts a plain cause in inspect output', () => {
    const cause = Object.assign(new TypeError(`Invalid URL: ${uri}`), { input: uri })
    const err = new ConfigError('bad url', { cause })
    expect(err.cause).toBe(cause)
    const out = inspect(err)
    expect(out).toContain('Invalid URL')
    expect(out).not.toContain(SECRET)
  })

  it('shows the stack, name and properties in inspect output like Node does', () => {
    const err = new ConfigError(`bad: ${uri}`, { parameter: 'host' })
    const out = inspect(err)
    expect(out.startsWith('ConfigError: bad: postgres://bob:***@db.example.com/app\n    at ')).toBe(
      true,
    )
    expect(out).toContain("parameter: 'host'")
    expect(out).toContain("phase: 'config'")
  })

  it('stays redacted when nested at the edge of the inspect depth', () => {
    const err = new ConfigError(`bad: ${uri}`)
    const out = inspect({ a: { b: err } })
    expect(out).toContain('ConfigError: bad: postgres://bob:***@')
    expect(out).not.toContain(SECRET)
    expect(inspect({ a: { b: { c: err } } }, { depth: 1 })).not.toContain(SECRET)
  })

  it('serialises to JSON with name and message', () => {
    const err = new DatabaseError(`lost ${uri}`, { phase: 'query' })
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'DatabaseError',
      message: 'lost postgres://bob:***@db.example.com/app',
      phase: 'query',
      inDoubt: false,
      safeToRetry: false,
      transient: false,
    })
  })
})

describe('parameter values', () => {
  it('are kept out of the message and enumerable properties by default', () => {
    const err = new TuskError('bad value', { parameters: ['s3cret-value', 42] })
    expect(err.parameters).toEqual(['s3cret-value', 42])
    expect(Object.keys(err)).not.toContain('parameters')
    expect(err.message).toBe('bad value')
    expect(JSON.stringify(err)).not.toContain('s3cret-value')
    expect(inspect(err)).not.toContain('s3cret-value')
  })

  it('are shown when includeValues is set', () => {
    const err = fromServerError(
      { code: '22P02', message: 'invalid input syntax for type integer: "x"' },
      {
        query: 'select $1::int, $2',
        parameters: ['x', null, 7n, new Uint8Array([1, 255]), "it's"],
        includeValues: true,
      },
    )
    expect(err.message).toBe(
      'invalid input syntax for type integer: "x"\n' +
        "parameters: $1 = 'x', $2 = NULL, $3 = 7, $4 = '\\x01ff' (2 bytes), $5 = 'it''s'",
    )
    expect(Object.keys(err)).toContain('parameters')
  })
})
