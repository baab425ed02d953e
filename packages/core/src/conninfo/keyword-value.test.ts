// Keyword/value strings: whitespace, single quotes, backslash escapes, errors, redaction.
// Expected values follow libpq's conninfo_parse on the same input.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import { parseConnectionString, redactConnectionString } from './connection-string.js'
import { parseKeywordValue, quoteKeywordValue, redactKeywordValue } from './keyword-value.js'
import type { ParameterValues } from './parameters.js'

describe('parseKeywordValue', () => {
  const cases: ReadonlyArray<readonly [string, ParameterValues]> = [
    ['', {}],
    ['   ', {}],
    ['host=localhost', { host: 'localhost' }],
    ['host=localhost port=5432 dbname=mydb', { host: 'localhost', port: '5432', dbname: 'mydb' }],
    ['  host = localhost   port =5432 ', { host: 'localhost', port: '5432' }],
    ['host=a\tport=1\ndbname=d\r\n', { host: 'a', port: '1', dbname: 'd' }],
    ["password='it\\'s secret'", { password: "it's secret" }],
    ["application_name='my app'", { application_name: 'my app' }],
    [
      "options='-c search_path=s -c statement_timeout=5s'",
      { options: '-c search_path=s -c statement_timeout=5s' },
    ],
    ["password=''", { password: '' }],
    ['password=', { password: '' }],
    ['password=a\\ b', { password: 'a b' }],
    ['password=back\\\\slash', { password: 'back\\slash' }],
    ['password=ends\\', { password: 'ends' }],
    ["password='q\\\\'", { password: 'q\\' }],
    ["password=it's", { password: "it's" }],
    ['password=a=b', { password: 'a=b' }],
    ['host=a host=b', { host: 'b' }],
    ['host= port=5', { host: 'port=5' }],
    ["host='a'port=5", { host: 'a', port: '5' }],
    ['requiressl=1', { sslmode: 'require' }],
    ['requiressl=0', { sslmode: 'prefer' }],
    ['host=/var/run/postgresql', { host: '/var/run/postgresql' }],
    ['host=h1,h2,h3 port=5432,5433,5434', { host: 'h1,h2,h3', port: '5432,5433,5434' }],
    ["dbname='postgresql://x'", { dbname: 'postgresql://x' }],
  ]
  it.each(cases)('%j', (conninfo, expected) => {
    expect(parseKeywordValue(conninfo)).toEqual(expected)
  })

  const errors: ReadonlyArray<readonly [string, RegExp]> = [
    ['host', /^missing "=" after "host" in connection info string$/],
    ['host localhost', /^missing "=" after "host" in connection info string$/],
    ["password='open", /^unterminated quoted string in connection info string$/],
    ['hots=x', /^unknown connection parameter "hots"; did you mean "host"\?$/],
    ['sslmod=require', /^unknown connection parameter "sslmod"; did you mean "sslmode"\?$/],
    ['database=x', /^unknown connection parameter "database"; did you mean "dbname"\?$/],
    ['ssl=true', /^unknown connection parameter "ssl"; did you mean "sslmode"\?$/],
    ['frobnicate=1', /^unknown connection parameter "frobnicate"$/],
    ['Host=x', /^unknown connection parameter "Host"; did you mean "host"\?$/],
  ]
  it.each(errors)('rejects %j', (conninfo, message) => {
    expect(() => parseKeywordValue(conninfo)).toThrow(ConfigError)
    expect(() => parseKeywordValue(conninfo)).toThrow(message)
  })

  it.each([
    ['password=sec ret', 'ret'],
    ['password=sec ret=x', 'ret'],
    ['sslpassword=abc defg host=x', 'defg'],
  ])('keeps the tail of an unquoted password with spaces out of the error: %j', (s, tail) => {
    let message = ''
    try {
      parseKeywordValue(s)
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/quote values that contain spaces/)
    expect(message).not.toContain(tail)
  })
})

describe('parseConnectionString', () => {
  it('dispatches on the URI prefix', () => {
    expect(parseConnectionString('postgres://h/d')).toEqual({ host: 'h', dbname: 'd' })
    expect(parseConnectionString('host=h dbname=d')).toEqual({ host: 'h', dbname: 'd' })
  })
})

describe('quoteKeywordValue', () => {
  it.each([
    ['plain', 'plain'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
  ])('%j → %s', (value, quoted) => {
    expect(quoteKeywordValue(value)).toBe(quoted)
    expect(parseKeywordValue(`application_name=${quoted}`).application_name).toBe(value)
  })
})

describe('redactKeywordValue', () => {
  it.each([
    ['host=h password=hunter2 port=1', 'host=h password=******** port=1'],
    ["host=h password='hunter 2' port=1", 'host=h password=******** port=1'],
    ['password = hunter2', 'password = ********'],
    ['sslpassword=k oauth_client_secret=s', 'sslpassword=******** oauth_client_secret=********'],
    ["password='hunter2", 'password=********'],
    ['password=hun ter2=x host=h', 'password=******** ******** host=h'],
    ['password=hun ter2 host=h', 'password=******** ********'],
    ["host='x password=hunter2", "host='x password=********"],
    ['host=h', 'host=h'],
  ])('%j', (s, redacted) => {
    expect(redactKeywordValue(s)).toBe(redacted)
    expect(redactConnectionString(s)).toBe(redacted)
  })
})
