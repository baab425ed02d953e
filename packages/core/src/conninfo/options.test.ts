// Options objects: camelCase and libpq names, value conversion, unknown keys with suggestions.
// Empty, null and undefined values count as "not given", as in PQconnectdbParams.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import { type ConnectionOptions, optionsToParameters } from './options.js'
import type { ParameterValues } from './parameters.js'

describe('optionsToParameters', () => {
  const cases: ReadonlyArray<readonly [ConnectionOptions, ParameterValues]> = [
    [{}, {}],
    [
      { host: 'h', port: 5433 },
      { host: 'h', port: '5433' },
    ],
    [{ applicationName: 'app' }, { application_name: 'app' }],
    [{ application_name: 'app' }, { application_name: 'app' }],
    [{ applicationName: 'app', application_name: 'app' }, { application_name: 'app' }],
    [{ connectTimeout: 10 }, { connect_timeout: '10' }],
    [
      { sslmode: 'verify-full', sslrootcert: 'system' },
      { sslmode: 'verify-full', sslrootcert: 'system' },
    ],
    [
      { keepalives: false, sslsni: true },
      { keepalives: '0', sslsni: '1' },
    ],
    [
      { host: ['a', 'b'], port: [5432, '5433'] },
      { host: 'a,b', port: '5432,5433' },
    ],
    [{ requireAuth: ['scram-sha-256', 'none'] }, { require_auth: 'scram-sha-256,none' }],
    [
      { targetSessionAttrs: 'read-write', loadBalanceHosts: 'random' },
      { target_session_attrs: 'read-write', load_balance_hosts: 'random' },
    ],
    [{ sslMinProtocolVersion: 'TLSv1.3' }, { ssl_min_protocol_version: 'TLSv1.3' }],
    [{ host: '', password: undefined, user: null }, {}],
    [{ host: [] }, {}],
    [{ replication: 'database' }, { replication: 'database' }],
    [{ connectionString: 'host=ignored-here' }, {}],
  ]
  it.each(cases)('%j', (options, expected) => {
    expect(optionsToParameters(options)).toEqual(expected)
  })

  const errors: ReadonlyArray<readonly [Record<string, unknown>, RegExp]> = [
    [{ sslMod: 'require' }, /^unknown connection parameter "sslMod"; did you mean "sslmode"\?$/],
    [{ applicationNam: 'x' }, /did you mean "applicationName"\?$/],
    [{ database: 'x' }, /^unknown connection parameter "database"; did you mean "dbname"\?$/],
    [{ username: 'x' }, /did you mean "user"\?$/],
    [{ ssl: true }, /did you mean "sslmode"\?$/],
    [{ connectionTimeoutMillis: 1000 }, /did you mean "connectTimeout"\?$/],
    [{ max: 20 }, /^unknown connection parameter "max"$/],
    [{ port: Number.NaN }, /connection option "port" must be a finite number/],
    [{ host: { name: 'x' } }, /connection option "host" must be a string, a number or a list/],
    [{ host: ['a,b'] }, /must be a list of strings without ","/],
    [{ password: ['x'] }, /^connection option "password" must be a string$/],
    [
      { applicationName: 'a', application_name: 'b' },
      /given twice, as "applicationName" and "application_name"/,
    ],
  ]
  it.each(errors)('rejects %j', (options, message) => {
    expect(() => optionsToParameters(options as ConnectionOptions)).toThrow(ConfigError)
    expect(() => optionsToParameters(options as ConnectionOptions)).toThrow(message)
  })
})
