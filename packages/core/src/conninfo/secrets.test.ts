// Secrets stay secret: no error message, log form or enumerable property carries a password.
// Every case here fails (or succeeds) with a password set, and the password must not show.
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import { describeConfig, REDACTED, redactConfig } from './describe.js'
import { type ConnectionInput, resolveConfig } from './resolve.js'

const SECRET = 'Sup3rSecretPW'

/** Every way the error could surface the secret. */
function surfaces(e: unknown): string {
  const err = e as Error
  return [err.message, String(err), err.stack ?? '', JSON.stringify(err), inspect(err)].join('\n')
}

function failure(
  input: ConnectionInput,
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): string {
  try {
    resolveConfig(input, {
      env,
      userName: 'alice',
      homeDir: '/home/alice',
      readFile: (p) => files[p],
    })
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return surfaces(e)
  }
  throw new Error('expected a ConfigError')
}

describe('error messages never contain a password', () => {
  const whole: ReadonlyArray<
    readonly [string, ConnectionInput, Record<string, string>?, Record<string, string>?]
  > = [
    ['bad sslmode in a string', `password=${SECRET} sslmode=bogus`],
    ['bad port in a string', `password=${SECRET} port=abc`],
    ['unknown keyword in a string', `password=${SECRET} hots=x`],
    ['unterminated quote', `password='${SECRET}`],
    ['quoted password then junk', `password='${SECRET}' junk`],
    ['bad sslmode in a URI', `postgresql://u:${SECRET}@h/db?sslmode=bogus`],
    ['bad port in a URI', `postgresql://u:${SECRET}@h:abc/db`],
    ['unknown query keyword', `postgresql://u:${SECRET}@h/db?sslmod=x`],
    ['bad percent-encoding in the password', `postgresql://u:${SECRET}%zz@h/db`],
    ['%00 in the password', `postgresql://u:${SECRET}%00@h/db`],
    ['space in the password', `postgresql://u:${SECRET} x@h/db`],
    ['secret query value, then bad sslmode', `postgresql://h/db?password=${SECRET}&sslmode=bogus`],
    ['secret query value, then junk', `postgresql://h/db?password=${SECRET}&junk`],
    ['secret query value with "="', `postgresql://h/db?password=a=${SECRET}`],
    ['secret query value with bad encoding', `postgresql://h/db?password=${SECRET}%g1`],
    ['options with a bad value', { password: SECRET, sslmode: 'bogus' as never }],
    ['options with an unknown key', { password: SECRET, foo: 1 } as ConnectionInput],
    ['options with a non-string password', { password: [SECRET] } as unknown as ConnectionInput],
    [
      'connectionString with a bad value',
      { connectionString: `postgresql://u:${SECRET}@h`, port: 'x' },
    ],
    ['PGPASSWORD with a bad PGSSLMODE', '', { PGPASSWORD: SECRET, PGSSLMODE: 'bogus' }],
    ['sslpassword with a bad port', `sslpassword=${SECRET} port=99999`],
    ['oauth_client_secret with a bad require_auth', `oauth_client_secret=${SECRET} require_auth=x`],
    [
      'service file password, bad sslmode',
      'service=s',
      {},
      { '/home/alice/.pg_service.conf': `[s]\npassword=${SECRET}\nsslmode=x` },
    ],
  ]
  for (const [name, input, env, files] of whole) {
    it(name, () => {
      expect(failure(input, env, files)).not.toContain(SECRET)
    })
  }

  // A password with an unencoded "@", "/", "?" or a space can be cut in two by the parser; neither
  // piece may show.
  const split: ReadonlyArray<readonly [string, ConnectionInput]> = [
    ['"@" in a URI password', 'postgresql://u:Sup3r@ecretPW@h/db'],
    ['"/" in a URI password', 'postgresql://u:Sup3r/ecretPW@h/db'],
    [
      '"/" in a URI password, with a port',
      'postgresql://u:Sup3r/ecretPW@h:5432/db?sslmode=require',
    ],
    ['"?" and "/" in a URI password', 'postgresql://u:Sup3r?x/ecretPW@h'],
    ['"@" in a URI password, with a bad port', 'postgresql://u:Sup3r@ecretPW@h:abc'],
    ['space in an unquoted password', 'password=Sup3r ecretPW host=h'],
    ['space in an unquoted password, at the end', 'password=Sup3r ecretPW'],
    ['space in an unquoted password, "=" after', 'password=Sup3r ecretPW=x'],
  ]
  it.each(split)('%s', (_name, input) => {
    const text = failure(input)
    expect(text).not.toContain('Sup3r')
    expect(text).not.toContain('ecretPW')
  })
})

describe('a resolved config keeps its secrets non-enumerable', () => {
  const config = resolveConfig(
    `postgresql://u:${SECRET}@a,b/db?sslpassword=${SECRET}K&oauth_client_secret=${SECRET}O`,
    { userName: 'alice' },
  )

  it('still hands the secrets to whoever asks for them', () => {
    expect(config.password).toBe(SECRET)
    expect(config.sslpassword).toBe(`${SECRET}K`)
    expect(config.hosts.map((h) => h.password)).toEqual([SECRET, SECRET])
    expect(config.parameters.password).toBe(SECRET)
    expect(config.parameters.oauth_client_secret).toBe(`${SECRET}O`)
  })

  it('leaves them out of JSON, inspect and spreads', () => {
    expect(JSON.stringify(config)).not.toContain(SECRET)
    expect(inspect(config, { depth: 10 })).not.toContain(SECRET)
    expect({ ...config }.password).toBeUndefined()
    expect({ ...config.hosts[0] }.password).toBeUndefined()
    expect(Object.keys(config.parameters)).not.toContain('password')
  })

  it('is frozen', () => {
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.hosts)).toBe(true)
    expect(Object.isFrozen(config.hosts[0])).toBe(true)
  })
})

describe('describeConfig and redactConfig', () => {
  it('summarises a config with the password masked', () => {
    const config = resolveConfig(
      {
        connectionString: `postgresql://bob:${SECRET}@db1:5432,db2:5433/app`,
        applicationName: 'my app',
        sslmode: 'require',
      },
      { userName: 'alice', env: { PGCONNECT_TIMEOUT: '5' } },
    )
    expect(describeConfig(config)).toBe(
      `host=db1,db2 port=5432,5433 dbname=app user=bob password=${REDACTED} ` +
        "connect_timeout=5 application_name='my app' sslmode=require",
    )
  })

  it('shows a password found in the passfile as masked too', () => {
    const config = resolveConfig('host=h', {
      userName: 'alice',
      homeDir: '/home/alice',
      readFile: (p) => (p === '/home/alice/.pgpass' ? `*:*:*:*:${SECRET}` : undefined),
    })
    expect(describeConfig(config)).toBe(
      `host=h port=5432 dbname=alice user=alice password=${REDACTED}`,
    )
  })

  it('describes hostaddr targets and omits a password that is not set', () => {
    const config = resolveConfig('host=a hostaddr=10.0.0.1', { userName: 'alice' })
    expect(describeConfig(config)).toBe(
      'host=a hostaddr=10.0.0.1 port=5432 dbname=alice user=alice',
    )
  })

  it('gives a plain object with every secret masked', () => {
    const config = resolveConfig(`host=h password=${SECRET} sslpassword=${SECRET}`, {
      userName: 'alice',
    })
    const redacted = redactConfig(config)
    const json = JSON.stringify(redacted)
    expect(json).not.toContain(SECRET)
    expect(redacted.password).toBe(REDACTED)
    expect(redacted.sslpassword).toBe(REDACTED)
    expect(redacted.hosts[0]).toEqual({
      host: 'h',
      port: 5432,
      isSocket: false,
      password: REDACTED,
      passwordSource: 'parameter',
    })
    expect(redacted.parameters.password).toBe(REDACTED)
    expect(redacted.parameters.host).toBe('h')
    expect(redacted.sslmode).toBe('prefer')
  })
})
