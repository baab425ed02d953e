// Value interpretation and validation: numbers, enums, require_auth, TLS rules, and the errors.
// Messages follow libpq's wording, plus the allowed values, a suggestion and the value's origin.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import type { ConnectionConfig } from './config.js'
import { type ConnectionInput, resolveConfig } from './resolve.js'
import { editDistance, nearestName } from './suggest.js'

const base = { userName: 'alice', homeDir: '/home/alice' }

function resolve(
  input: ConnectionInput,
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): ConnectionConfig {
  return resolveConfig(input, { ...base, env, readFile: (p) => files[p] })
}

describe('values', () => {
  const cases: ReadonlyArray<
    readonly [ConnectionInput, (c: ConnectionConfig) => unknown, unknown]
  > = [
    ['connect_timeout=10', (c) => c.connectTimeoutMs, 10_000],
    ['connect_timeout=1', (c) => c.connectTimeoutMs, 2_000],
    ['connect_timeout=0', (c) => c.connectTimeoutMs, undefined],
    ['connect_timeout=-5', (c) => c.connectTimeoutMs, undefined],
    ["connect_timeout=' 7 '", (c) => c.connectTimeoutMs, 7_000],
    ['connect_timeout=+3', (c) => c.connectTimeoutMs, 3_000],
    [{ connectTimeout: 4 }, (c) => c.connectTimeoutMs, 4_000],
    ['keepalives=0', (c) => c.keepalives, false],
    ['keepalives=5', (c) => c.keepalives, true],
    [{ keepalives: false }, (c) => c.keepalives, false],
    [
      'keepalives_idle=30 keepalives_interval=5 keepalives_count=3',
      (c) => [c.keepalivesIdleMs, c.keepalivesIntervalMs, c.keepalivesCount],
      [30_000, 5_000, 3],
    ],
    ['keepalives_idle=-1', (c) => c.keepalivesIdleMs, 0],
    ['tcp_user_timeout=500', (c) => c.tcpUserTimeoutMs, 500],
    ['port=065535', (c) => c.hosts[0]?.port, 65535],
    ['sslsni=0', (c) => c.sslsni, false],
    [
      'sslmode=verify-ca sslrootcert=/ca.pem',
      (c) => [c.sslmode, c.sslrootcert],
      ['verify-ca', '/ca.pem'],
    ],
    ['sslrootcert=system sslmode=verify-full', (c) => c.sslmode, 'verify-full'],
    ['sslnegotiation=direct sslmode=require', (c) => c.sslnegotiation, 'direct'],
    ['ssl_min_protocol_version=tlsv1.3', (c) => c.sslMinProtocolVersion, 'TLSv1.3'],
    [
      'ssl_max_protocol_version=TLSv1.2',
      (c) => [c.sslMinProtocolVersion, c.sslMaxProtocolVersion],
      ['TLSv1.2', 'TLSv1.2'],
    ],
    ['ssl_min_protocol_version=', (c) => c.sslMinProtocolVersion, undefined],
    ['sslcertmode=require', (c) => c.sslcertmode, 'require'],
    ['gssencmode=prefer', (c) => c.gssencmode, 'prefer'],
    ['client_encoding=auto', (c) => c.clientEncoding, 'UTF8'],
    ['client_encoding=LATIN1', (c) => c.clientEncoding, 'LATIN1'],
    ['replication=database', (c) => c.replication, 'database'],
    ['replication=on', (c) => c.replication, true],
    ['replication=false', (c) => c.replication, false],
    [
      'min_protocol_version=latest',
      (c) => [c.minProtocolVersion, c.maxProtocolVersion],
      ['3.2', '3.2'],
    ],
    [
      'max_protocol_version=3.2',
      (c) => [c.minProtocolVersion, c.maxProtocolVersion],
      ['3.0', '3.2'],
    ],
    ['fallback_application_name=tool', (c) => c.fallbackApplicationName, 'tool'],
    ['requirepeer=postgres', (c) => c.requirepeer, 'postgres'],
    [
      'krbsrvname=x gsslib=gssapi sslcompression=1 oauth_issuer=https://i',
      (c) => c.parameters.krbsrvname,
      'x',
    ],
    [
      'require_auth=password,md5',
      (c) => c.requireAuth,
      { methods: ['password', 'md5'], allowNone: false },
    ],
    [
      'require_auth=scram-sha-256,none',
      (c) => c.requireAuth,
      { methods: ['scram-sha-256'], allowNone: true },
    ],
    ['require_auth=none', (c) => c.requireAuth, { methods: [], allowNone: true }],
    [
      'require_auth=!password,!md5',
      (c) => c.requireAuth,
      { methods: ['gss', 'sspi', 'scram-sha-256', 'oauth'], allowNone: true },
    ],
    [
      'require_auth=!none',
      (c) => c.requireAuth,
      { methods: ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'oauth'], allowNone: false },
    ],
    ['require_auth=', (c) => c.requireAuth, undefined],
  ]
  it.each(cases)('%j', (input, pick, expected) => {
    expect(pick(resolve(input))).toEqual(expected)
  })

  it('treats an empty numeric environment variable as unset', () => {
    expect(resolve('', { PGCONNECT_TIMEOUT: '' }).connectTimeoutMs).toBeUndefined()
  })
})

describe('errors', () => {
  const cases: ReadonlyArray<readonly [ConnectionInput, Record<string, string>, string, string]> = [
    [
      'sslmode=requir',
      {},
      'invalid sslmode value: "requir"; did you mean "require"?; allowed values: disable, allow, prefer, require, verify-ca, verify-full',
      'sslmode',
    ],
    [
      '',
      { PGSSLMODE: 'verify_full' },
      'invalid sslmode value: "verify_full" (from PGSSLMODE); did you mean "verify-full"?; allowed values: disable, allow, prefer, require, verify-ca, verify-full',
      'sslmode',
    ],
    [
      'sslmode=Require',
      {},
      'invalid sslmode value: "Require"; did you mean "require"?; allowed values: disable, allow, prefer, require, verify-ca, verify-full',
      'sslmode',
    ],
    [
      'channel_binding=yes',
      {},
      'invalid channel_binding value: "yes"; allowed values: disable, prefer, require',
      'channel_binding',
    ],
    [
      'target_session_attrs=readwrite',
      {},
      'invalid target_session_attrs value: "readwrite"; did you mean "read-write"?; allowed values: any, read-write, read-only, primary, standby, prefer-standby',
      'target_session_attrs',
    ],
    [
      'load_balance_hosts=on',
      {},
      'invalid load_balance_hosts value: "on"; allowed values: disable, random',
      'load_balance_hosts',
    ],
    [
      'sslnegotiation=tls',
      {},
      'invalid sslnegotiation value: "tls"; allowed values: postgres, direct',
      'sslnegotiation',
    ],
    [
      'sslcertmode=always',
      {},
      'invalid sslcertmode value: "always"; allowed values: disable, allow, require',
      'sslcertmode',
    ],
    [
      'ssl_min_protocol_version=TLSv1.4',
      {},
      'invalid ssl_min_protocol_version value: "TLSv1.4"; allowed values: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3',
      'ssl_min_protocol_version',
    ],
    [
      'ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2',
      {},
      'invalid SSL protocol version range: ssl_min_protocol_version TLSv1.3 is above ssl_max_protocol_version TLSv1.2',
      'ssl_min_protocol_version',
    ],
    [
      'min_protocol_version=3.2 max_protocol_version=3.0',
      {},
      'min_protocol_version "3.2" is greater than max_protocol_version "3.0"',
      'min_protocol_version',
    ],
    [
      'min_protocol_version=3.1',
      {},
      'invalid min_protocol_version value: "3.1"; allowed values: 3.0, 3.2, latest',
      'min_protocol_version',
    ],
    [
      'sslmode=prefer sslnegotiation=direct',
      {},
      'weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")',
      'sslmode',
    ],
    [
      'sslnegotiation=direct',
      {},
      'weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")',
      'sslmode',
    ],
    [
      'sslrootcert=system sslmode=require',
      {},
      'weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")',
      'sslmode',
    ],
    [
      'sslrootcert=system',
      { PGSSLMODE: 'verify-ca' },
      'weak sslmode "verify-ca" (from PGSSLMODE) may not be used with sslrootcert=system (use "verify-full")',
      'sslmode',
    ],
    [
      'gssencmode=require',
      {},
      'gssencmode value "require" is not supported: Tusk has no GSSAPI support (use "disable" or "prefer")',
      'gssencmode',
    ],
    ['port=abc', {}, 'invalid port number: "abc"; a port is an integer from 1 to 65535', 'port'],
    ['port=0', {}, 'invalid port number: "0"; a port is an integer from 1 to 65535', 'port'],
    [
      '',
      { PGPORT: '70000' },
      'invalid port number: "70000" (from PGPORT); a port is an integer from 1 to 65535',
      'port',
    ],
    [
      'connect_timeout=10s',
      {},
      'invalid integer value "10s" for connection option "connect_timeout"',
      'connect_timeout',
    ],
    [
      'keepalives=yes',
      {},
      'invalid integer value "yes" for connection option "keepalives"',
      'keepalives',
    ],
    [
      'keepalives_count=99999999999',
      {},
      'invalid integer value "99999999999" for connection option "keepalives_count"',
      'keepalives_count',
    ],
    ['sslsni=2', {}, 'invalid sslsni value: "2"; allowed values: 0, 1', 'sslsni'],
    [
      'replication=maybe',
      {},
      'invalid replication value: "maybe"; allowed values: database, true, on, yes, 1, false, off, no, 0',
      'replication',
    ],
    [
      'require_auth=password,!md5',
      {},
      'negative require_auth method "!md5" cannot be mixed with non-negative methods',
      'require_auth',
    ],
    [
      'require_auth=!password,md5',
      {},
      'require_auth method "md5" cannot be mixed with negative methods',
      'require_auth',
    ],
    [
      'require_auth=md5,md5',
      {},
      'require_auth method "md5" is specified more than once',
      'require_auth',
    ],
    [
      'require_auth=!none,!none',
      {},
      'require_auth method "!none" is specified more than once',
      'require_auth',
    ],
    [
      'require_auth=scram-sha256',
      {},
      'invalid require_auth value: "scram-sha256"; did you mean "scram-sha-256"?; allowed values: password, md5, gss, sspi, scram-sha-256, oauth, none',
      'require_auth',
    ],
    [
      'require_auth=md5,,password',
      {},
      'invalid require_auth value: ""; allowed values: password, md5, gss, sspi, scram-sha-256, oauth, none',
      'require_auth',
    ],
    [
      'sslmod=require',
      {},
      'unknown connection parameter "sslmod"; did you mean "sslmode"?',
      'sslmod',
    ],
    [
      { sslMod: 'require' } as ConnectionInput,
      {},
      'unknown connection parameter "sslMod"; did you mean "sslmode"?',
      'sslMod',
    ],
    [
      { applicationNmae: 'x' } as ConnectionInput,
      {},
      'unknown connection parameter "applicationNmae"; did you mean "applicationName"?',
      'applicationNmae',
    ],
    [
      'postgresql://h?target_session_attr=any',
      {},
      'unknown connection parameter "target_session_attr"; did you mean "target_session_attrs"?',
      'target_session_attr',
    ],
  ]
  it.each(cases)('%j %j', (input, env, message, parameter) => {
    try {
      resolve(input, env)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      expect((e as Error).message).toBe(message)
      expect((e as ConfigError).parameter).toBe(parameter)
      expect((e as ConfigError).phase).toBe('config')
    }
  })

  it('names the service file a bad value came from', () => {
    const files = { '/home/alice/.pg_service.conf': '[s]\nsslmode=on' }
    expect(() => resolve('service=s', {}, files)).toThrow(
      'invalid sslmode value: "on" (from service file "/home/alice/.pg_service.conf")',
    )
  })

  it('rejects input that is neither a string nor an object', () => {
    expect(() => resolveConfig(42 as unknown as ConnectionInput, base)).toThrow(
      /must be a connection string \(URI or keyword\/value\) or an options object/,
    )
  })
})

describe('suggestions', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['sslmode', 'sslmdoe', 1],
    ['', 'abc', 3],
    ['same', 'same', 0],
  ])('editDistance(%s, %s) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
  })

  it.each([
    ['hots', 'host'],
    ['prot', 'port'],
    ['passwd', 'password'],
    ['application-name', 'application_name'],
    ['SSLMODE', 'sslmode'],
    ['database', 'dbname'],
    ['zzzzzz', undefined],
    ['h', undefined],
  ])('nearestName(%s) = %s', (input, expected) => {
    const names = ['host', 'port', 'password', 'application_name', 'sslmode', 'dbname', 'user']
    expect(nearestName(input, names)).toBe(expected)
  })
})
