// Connection URI parsing: percent-decoding, IPv6, host lists, sockets, query keywords, errors.
// Expected values follow libpq's PQconninfoParse on the same input.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import type { ParameterValues } from './parameters.js'
import { isConnectionUri, parseUri, percentDecode, redactUri } from './uri.js'

describe('parseUri', () => {
  const cases: ReadonlyArray<readonly [string, ParameterValues]> = [
    ['postgresql://', {}],
    ['postgres://', {}],
    ['postgresql://localhost', { host: 'localhost' }],
    ['postgresql://localhost:5433', { host: 'localhost', port: '5433' }],
    ['postgresql://localhost/mydb', { host: 'localhost', dbname: 'mydb' }],
    ['postgresql://user@localhost', { user: 'user', host: 'localhost' }],
    ['postgresql://user:secret@localhost', { user: 'user', password: 'secret', host: 'localhost' }],
    ['postgresql://:secret@localhost', { password: 'secret', host: 'localhost' }],
    ['postgresql://user:@localhost', { user: 'user', host: 'localhost' }],
    [
      'postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp',
      {
        user: 'other',
        host: 'localhost',
        dbname: 'otherdb',
        connect_timeout: '10',
        application_name: 'myapp',
      },
    ],
    [
      'postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp',
      {
        host: 'host1,host2',
        port: '123,456',
        dbname: 'somedb',
        target_session_attrs: 'any',
        application_name: 'myapp',
      },
    ],
    ['postgresql://host1:5432,host2,[::1]:5433', { host: 'host1,host2,::1', port: '5432,,5433' }],
    ['postgresql://h1,h2', { host: 'h1,h2', port: ',' }],
    ['postgresql://h1,h2:6000', { host: 'h1,h2', port: ',6000' }],
    ['postgresql://[::1]', { host: '::1' }],
    ['postgresql://[::1]:5433/db', { host: '::1', port: '5433', dbname: 'db' }],
    ['postgresql://[2001:db8::1234]/database', { host: '2001:db8::1234', dbname: 'database' }],
    ['postgresql://[fe80::1%25eth0]:5432', { host: 'fe80::1%eth0', port: '5432' }],
    ['postgresql://[::1]?sslmode=require', { host: '::1', sslmode: 'require' }],
    ['postgresql:///mydb', { dbname: 'mydb' }],
    ['postgresql:///', {}],
    ['postgresql://:5433', { port: '5433' }],
    [
      'postgresql:///mydb?host=localhost&port=5433',
      { dbname: 'mydb', host: 'localhost', port: '5433' },
    ],
    [
      'postgresql://%2Fvar%2Frun%2Fpostgresql/dbname',
      { host: '/var/run/postgresql', dbname: 'dbname' },
    ],
    [
      'postgresql:///dbname?host=/var/lib/postgresql',
      { dbname: 'dbname', host: '/var/lib/postgresql' },
    ],
    ['postgresql://%40abstract/db', { host: '@abstract', dbname: 'db' }],
    [
      'postgresql://us%40er:p%40ss%3Aw%2Fo%3Frd@host/my%20db',
      { user: 'us@er', password: 'p@ss:w/o?rd', host: 'host', dbname: 'my db' },
    ],
    ['postgresql://user:pa:ss@host', { user: 'user', password: 'pa:ss', host: 'host' }],
    ['postgresql://user:pa?ss@host', { user: 'user', password: 'pa?ss', host: 'host' }],
    ['postgresql://user:p,w@host', { user: 'user', password: 'p,w', host: 'host' }],
    ['postgresql://%C3%A9l%C3%A8ve@h/caf%C3%A9', { user: 'élève', host: 'h', dbname: 'café' }],
    ['postgresql://élève@h/café', { user: 'élève', host: 'h', dbname: 'café' }],
    [
      'postgresql://h/db?application_name=%20x%20',
      { host: 'h', dbname: 'db', application_name: ' x ' },
    ],
    ['postgresql://h/db?application_name= x ', { host: 'h', dbname: 'db', application_name: 'x' }],
    ['postgresql://h/db?application_name=', { host: 'h', dbname: 'db', application_name: '' }],
    ['postgresql://h/db?dbname=other', { host: 'h', dbname: 'other' }],
    ['postgresql://h1/db?host=h2', { host: 'h2', dbname: 'db' }],
    ['postgresql://h/db?', { host: 'h', dbname: 'db' }],
    ['postgresql://h/db?a%70plication_name=x', { host: 'h', dbname: 'db', application_name: 'x' }],
    ['postgresql://h?ssl=true', { host: 'h', sslmode: 'require' }],
    ['postgresql://h?requiressl=1', { host: 'h', sslmode: 'require' }],
    ['postgresql://h?requiressl=0', { host: 'h', sslmode: 'prefer' }],
    [
      'postgresql://h?sslmode=verify-full&sslrootcert=system',
      { host: 'h', sslmode: 'verify-full', sslrootcert: 'system' },
    ],
    ['postgresql://h/db?password=a%26b%3Dc', { host: 'h', dbname: 'db', password: 'a&b=c' }],
    ['postgresql://h/db%40x', { host: 'h', dbname: 'db@x' }],
  ]

  it.each(cases)('%s', (uri, expected) => {
    expect(parseUri(uri)).toEqual(expected)
  })

  it('lets a query keyword override the same keyword set earlier in the URI', () => {
    expect(parseUri('postgresql://u@h:1/d?user=v&port=2&dbname=e')).toEqual({
      user: 'v',
      host: 'h',
      port: '2',
      dbname: 'e',
    })
  })

  const errors: ReadonlyArray<readonly [string, RegExp]> = [
    ['postgresql://[::1', /matching "\]" in IPv6 host address/],
    ['postgresql://[]', /IPv6 host address may not be empty/],
    ['postgresql://[::1]x', /unexpected character "x" at position 19 in URI/],
    [
      'postgresql://h?sslmode',
      /missing key\/value separator "=" in URI query parameter: "sslmode"/,
    ],
    ['postgresql://h?sslmode=a=b', /extra key\/value separator "=" in URI query parameter/],
    ['postgresql://h?port=1&&sslmode=require', /missing key\/value separator/],
    [
      'postgresql://h?sslmod=require',
      /unknown connection parameter "sslmod"; did you mean "sslmode"\?/,
    ],
    ['postgresql://h?ssl=false', /invalid URI query parameter "ssl=false".*did you mean "sslmode"/],
    ['postgresql://h?ssl=1', /libpq accepts only ssl=true/],
    ['postgresql://h/d%zz', /invalid percent-encoded token in the database name "d%zz"/],
    ['postgresql://h/d%2', /invalid percent-encoded token/],
    ['postgresql://h/d%00', /forbidden value %00/],
    ['postgresql://h/d%FF', /not valid UTF-8/],
    [
      'postgresql://h/my db',
      /unexpected spaces found in the database name "my db", use percent-encoded spaces \(%20\)/,
    ],
    ['postgresql://u:p@ss@host/db', /cannot tell the user name and password from the host/],
    ['postgresql://u:pa/ss@host/db', /percent-encode "@", "\/", "\?" and ":"/],
    ['postgresql://h/db@x', /cannot tell the user name/],
    ['postgresql://h?application_name=a@b', /cannot tell the user name/],
    ['mysql://h', /must start with "postgresql:\/\/" or "postgres:\/\/"/],
  ]

  it.each(errors)('rejects %s', (uri, message) => {
    expect(() => parseUri(uri)).toThrow(ConfigError)
    expect(() => parseUri(uri)).toThrow(message)
  })

  it('names the parameter of an unknown query keyword', () => {
    try {
      parseUri('postgresql://h?aplication_name=x')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      expect((e as ConfigError).parameter).toBe('aplication_name')
      expect((e as Error).message).toContain('did you mean "application_name"?')
    }
  })
})

describe('percentDecode', () => {
  it.each([
    ['abc', 'abc'],
    ['a%20b', 'a b'],
    ['%41%62', 'Ab'],
    ['  padded  ', 'padded'],
    ['%e2%82%ac', '€'],
    ['', ''],
  ])('%s → %s', (raw, decoded) => {
    expect(percentDecode(raw, { name: 'x', quote: true })).toBe(decoded)
  })

  it('keeps a secret out of its messages', () => {
    expect(() => percentDecode('hunter2%zz', { name: 'the password', quote: false })).toThrow(
      /^invalid percent-encoded token in the password$/,
    )
  })
})

describe('isConnectionUri', () => {
  it.each([
    ['postgresql://h', true],
    ['postgres://h', true],
    ['postgresql:/h', false],
    ['host=h', false],
    ['POSTGRESQL://h', false],
  ])('%s → %s', (s, expected) => {
    expect(isConnectionUri(s)).toBe(expected)
  })
})

describe('redactUri', () => {
  it.each([
    ['postgresql://u:hunter2@h/db', 'postgresql://u:********@h/db'],
    ['postgresql://u@h/db', 'postgresql://u@h/db'],
    [
      'postgresql://h/db?password=hunter2&sslmode=require',
      'postgresql://h/db?password=********&sslmode=require',
    ],
    [
      'postgresql://h/db?sslpassword=x&oauth_client_secret=y',
      'postgresql://h/db?sslpassword=********&oauth_client_secret=********',
    ],
    ['postgresql://u:hun@ter2@h/db', 'postgresql://u:********@h/db'],
    ['postgresql://u:hun/ter2@h/db', 'postgresql://u:********@h/db'],
    ['postgresql://u:p?a/b@h', 'postgresql://u:********@h'],
    [
      'postgresql://u:pw@h/db?application_name=a@b',
      'postgresql://u:********@h/db?application_name=a@b',
    ],
    ['postgresql://u:p@w@h/db?application_name=a@b', 'postgresql://u:********@b'],
    ['postgresql://h:5432/db', 'postgresql://h:5432/db'],
  ])('%s', (uri, redacted) => {
    expect(redactUri(uri)).toBe(redacted)
  })
})
