// Passfile matching: wildcards, escapes, comments, first match wins, localhost for the socket.
// Follows libpq's passwordFromFile and its field matcher.
import { describe, expect, it } from 'vitest'
import { findPgpassPassword, type PgpassKey, passfileProblem, pgpassLookupHost } from './pgpass.js'

const key: PgpassKey = { host: 'db.example.com', port: '5432', dbname: 'app', user: 'alice' }

describe('findPgpassPassword', () => {
  const cases: ReadonlyArray<readonly [string, string, PgpassKey, string | undefined]> = [
    ['exact match', 'db.example.com:5432:app:alice:s3cret', key, 's3cret'],
    ['all wildcards', '*:*:*:*:any', key, 'any'],
    ['wildcard host', '*:5432:app:alice:w', key, 'w'],
    ['wrong port', 'db.example.com:5433:app:alice:x', key, undefined],
    ['wrong user', 'db.example.com:5432:app:bob:x', key, undefined],
    ['wrong db', 'db.example.com:5432:other:alice:x', key, undefined],
    ['prefix is not a match', 'db.example:5432:app:alice:x', key, undefined],
    ['longer is not a match', 'db.example.com.evil:5432:app:alice:x', key, undefined],
    ['first match wins', 'db.example.com:5432:app:alice:first\n*:*:*:*:second', key, 'first'],
    ['skips non-matching lines', 'other:1:x:y:no\n*:*:app:alice:yes', key, 'yes'],
    ['comment lines', '#*:*:*:*:commented\n*:*:*:*:real', key, 'real'],
    ['blank lines', '\n\n*:*:*:*:p\n', key, 'p'],
    ['CRLF endings', '*:*:*:*:crlf\r\n', key, 'crlf'],
    ['escaped colon in password', '*:*:*:*:a\\:b', key, 'a:b'],
    ['escaped backslash in password', '*:*:*:*:a\\\\b', key, 'a\\b'],
    ['unescaped colon ends the password', '*:*:*:*:a:b', key, 'a'],
    ['trailing backslash kept', '*:*:*:*:a\\', key, 'a\\'],
    ['empty password', '*:*:*:*:', key, ''],
    ['escaped colon in a field', 'h\\:x:5432:app:alice:p', { ...key, host: 'h:x' }, 'p'],
    ['escaped backslash in a field', 'h\\\\x:5432:app:alice:p', { ...key, host: 'h\\x' }, 'p'],
    ['escaped star is literal', '\\*:5432:app:alice:p', key, undefined],
    ['escaped star matches a star', '\\*:5432:app:alice:p', { ...key, host: '*' }, 'p'],
    ['star only as a whole field', 'db*:5432:app:alice:p', key, undefined],
    ['too few fields', 'db.example.com:5432:app:alice', key, undefined],
    [
      'socket directory',
      '/var/run/postgresql:5432:app:alice:sock',
      { ...key, host: '/var/run/postgresql' },
      'sock',
    ],
    ['IPv6 with escapes', '\\:\\:1:5432:app:alice:v6', { ...key, host: '::1' }, 'v6'],
    ['indented comment is not a comment', ' #x:*:*:*:p\n*:*:*:*:q', key, 'q'],
  ]
  it.each(cases)('%s', (_name, text, k, expected) => {
    expect(findPgpassPassword(text, k)).toBe(expected)
  })

  it('needs a database and a user name', () => {
    expect(findPgpassPassword('*:*:*:*:p', { ...key, dbname: '' })).toBeUndefined()
    expect(findPgpassPassword('*:*:*:*:p', { ...key, user: '' })).toBeUndefined()
  })
})

describe('pgpassLookupHost', () => {
  it.each([
    [{ host: 'db' }, '/tmp', 'db'],
    [{ host: '' }, '/tmp', 'localhost'],
    [{ host: '/tmp' }, '/tmp', 'localhost'],
    [{ host: '/var/run/postgresql' }, '/tmp', '/var/run/postgresql'],
    [{ host: '/var/run/postgresql' }, '/var/run/postgresql', 'localhost'],
    [{ host: '', hostaddr: '10.0.0.1' }, '/tmp', '10.0.0.1'],
    [{ host: 'db', hostaddr: '10.0.0.1' }, '/tmp', 'db'],
    [{ host: 'localhost' }, '', 'localhost'],
  ])('%j with default socket %s → %s', (target, socketDir, expected) => {
    expect(pgpassLookupHost(target, socketDir)).toBe(expected)
  })
})

describe('passfileProblem', () => {
  it.each([
    [{ text: '', mode: 0o600 }, undefined],
    [{ text: '', mode: 0o100400 }, undefined],
    [{ text: '' }, undefined],
    [
      { text: '', mode: 0o644 },
      /group or world access; permissions should be u=rw \(0600\) or less/,
    ],
    [{ text: '', mode: 0o100640 }, /group or world access/],
    [{ text: '', mode: 0o601 }, /group or world access/],
    [{ text: '', mode: 0o600, isFile: false }, /is not a plain file/],
  ])('%j', (file, expected) => {
    const problem = passfileProblem('/home/a/.pgpass', file)
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })
})
