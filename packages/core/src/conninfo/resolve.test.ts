// resolveConfig: compiled defaults, libpq precedence, service files, passfile lookup, host lists.
// Everything outside conninfo is injected, so these run on plain data.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/client.js'
import type { ConnectionConfig } from './config.js'
import type { FileContents, ResolveContext } from './context.js'
import { type ConnectionInput, resolveConfig } from './resolve.js'

interface Setup {
  env?: Record<string, string>
  files?: Record<string, string | FileContents>
  userName?: string
  homeDir?: string
  platform?: string
  defaultSocketDir?: string
  sysconfDir?: string
}

/** A context backed by an in-memory file map; user `alice`, home `/home/alice` unless given. */
function context(setup: Setup = {}): ResolveContext & { reads: string[] } {
  const reads: string[] = []
  return {
    env: setup.env ?? {},
    readFile: (path) => {
      reads.push(path)
      return setup.files?.[path]
    },
    userName: 'userName' in setup ? setup.userName : 'alice',
    homeDir: setup.homeDir ?? '/home/alice',
    sysconfDir: setup.sysconfDir ?? '/etc/postgresql-common',
    reads,
    ...(setup.platform === undefined ? {} : { platform: setup.platform }),
    ...(setup.defaultSocketDir === undefined ? {} : { defaultSocketDir: setup.defaultSocketDir }),
  }
}

function resolve(input: ConnectionInput | undefined, setup: Setup = {}): ConnectionConfig {
  return resolveConfig(input, context(setup))
}

describe('compiled defaults', () => {
  it('connects to the default socket as the OS user, with libpq defaults', () => {
    const c = resolve(undefined)
    expect(c.hosts).toEqual([
      { host: '/tmp', port: 5432, isSocket: true, socketPath: '/tmp/.s.PGSQL.5432' },
    ])
    expect(c).toMatchObject({
      user: 'alice',
      dbname: 'alice',
      options: '',
      sslmode: 'prefer',
      sslnegotiation: 'postgres',
      sslcertmode: 'allow',
      sslsni: true,
      sslMinProtocolVersion: 'TLSv1.2',
      channelBinding: 'prefer',
      gssencmode: 'disable',
      targetSessionAttrs: 'any',
      loadBalanceHosts: 'disable',
      keepalives: true,
      replication: false,
      minProtocolVersion: '3.0',
      maxProtocolVersion: '3.0',
      passfile: '/home/alice/.pgpass',
      sslDefaultFiles: {
        rootcert: '/home/alice/.postgresql/root.crt',
        crl: '/home/alice/.postgresql/root.crl',
        cert: '/home/alice/.postgresql/postgresql.crt',
        key: '/home/alice/.postgresql/postgresql.key',
      },
      warnings: [],
      sessionSettings: {},
    })
    expect(c.password).toBeUndefined()
    expect(c.connectTimeoutMs).toBeUndefined()
    expect(c.applicationName).toBeUndefined()
    expect(c.origins.port).toBe('default')
    expect(c.origins.user).toBe('default')
  })

  it('uses an injected default socket directory', () => {
    const c = resolve('', { defaultSocketDir: '/var/run/postgresql' })
    expect(c.hosts[0]).toMatchObject({
      host: '/var/run/postgresql',
      socketPath: '/var/run/postgresql/.s.PGSQL.5432',
    })
  })

  it('uses TCP to localhost on Windows', () => {
    const c = resolve('', { platform: 'win32', env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' } })
    expect(c.hosts).toEqual([{ host: 'localhost', port: 5432, isSocket: false }])
    expect(c.passfile).toBe('C:\\Users\\a\\AppData\\Roaming\\postgresql\\pgpass.conf')
    expect(c.sslDefaultFiles?.rootcert).toBe('C:\\Users\\a\\AppData\\Roaming\\postgresql\\root.crt')
  })

  it('prefers $HOME over the injected home directory on POSIX', () => {
    expect(resolve('', { env: { HOME: '/custom' } }).passfile).toBe('/custom/.pgpass')
  })

  it('needs a user name from somewhere', () => {
    expect(() => resolve('', { userName: undefined })).toThrow(/no user name/)
    expect(resolve('', { userName: undefined, env: { PGUSER: 'bob' } }).user).toBe('bob')
  })

  it('defaults dbname to the user, wherever the user came from', () => {
    expect(resolve('user=bob').dbname).toBe('bob')
    expect(resolve('', { env: { PGUSER: 'carol' } }).dbname).toBe('carol')
  })
})

describe('precedence: explicit > service file > environment > defaults', () => {
  const service = { '/home/alice/.pg_service.conf': '[svc]\nhost=svc-host\nport=6000\n' }
  const cases: ReadonlyArray<
    readonly [string, ConnectionInput | undefined, Setup, (c: ConnectionConfig) => unknown, unknown]
  > = [
    ['env over default', '', { env: { PGPORT: '6001' } }, (c) => c.hosts[0]?.port, 6001],
    ['string over env', 'port=7000', { env: { PGPORT: '6001' } }, (c) => c.hosts[0]?.port, 7000],
    [
      'URI over env',
      'postgresql://h:7001',
      { env: { PGPORT: '6001' } },
      (c) => c.hosts[0]?.port,
      7001,
    ],
    [
      'options over env',
      { port: 7002 },
      { env: { PGPORT: '6001' } },
      (c) => c.hosts[0]?.port,
      7002,
    ],
    [
      'options over connectionString',
      { connectionString: 'port=1', port: 2 },
      {},
      (c) => c.hosts[0]?.port,
      2,
    ],
    [
      'connectionString over env',
      { connectionString: 'port=3' },
      { env: { PGPORT: '4' } },
      (c) => c.hosts[0]?.port,
      3,
    ],
    [
      'service over env',
      'service=svc',
      { files: service, env: { PGHOST: 'env-host' } },
      (c) => c.hosts[0]?.host,
      'svc-host',
    ],
    [
      'explicit over service',
      'service=svc host=mine',
      { files: service },
      (c) => c.hosts[0]?.host,
      'mine',
    ],
    [
      'PGSERVICE selects the service',
      '',
      { files: service, env: { PGSERVICE: 'svc' } },
      (c) => c.hosts[0]?.port,
      6000,
    ],
    [
      'service keyword over PGSERVICE',
      'service=svc',
      {
        files: {
          ...service,
          '/home/alice/.pg_service.conf': `${service['/home/alice/.pg_service.conf']}[other]\nport=1\n`,
        },
        env: { PGSERVICE: 'other' },
      },
      (c) => c.hosts[0]?.port,
      6000,
    ],
    [
      'env fills what the service leaves',
      'service=svc',
      { files: service, env: { PGDATABASE: 'envdb' } },
      (c) => c.dbname,
      'envdb',
    ],
    [
      'empty value in a string blocks the environment',
      'host=',
      { env: { PGHOST: 'env-host' } },
      (c) => c.hosts[0]?.host,
      '/tmp',
    ],
    [
      'empty option does not block the environment',
      { host: '' },
      { env: { PGHOST: 'env-host' } },
      (c) => c.hosts[0]?.host,
      'env-host',
    ],
    [
      'empty environment variable counts as set',
      '',
      { env: { PGHOST: '' } },
      (c) => c.hosts[0]?.host,
      '/tmp',
    ],
    [
      'URI without host leaves PGHOST',
      'postgresql:///db',
      { env: { PGHOST: 'env-host' } },
      (c) => c.hosts[0]?.host,
      'env-host',
    ],
    [
      'URI with empty path leaves PGDATABASE',
      'postgresql://h/',
      { env: { PGDATABASE: 'envdb' } },
      (c) => c.dbname,
      'envdb',
    ],
    [
      'URI query dbname= (empty) means the user',
      'postgresql://h?dbname=',
      { env: { PGDATABASE: 'envdb' } },
      (c) => c.dbname,
      'alice',
    ],
    [
      'URI host list without ports ignores PGPORT',
      'postgresql://a,b',
      { env: { PGPORT: '6001' } },
      (c) => c.hosts.map((h) => h.port),
      [5432, 5432],
    ],
    [
      'PGREQUIRESSL=1 means require',
      '',
      { env: { PGREQUIRESSL: '1' } },
      (c) => c.sslmode,
      'require',
    ],
    [
      'PGSSLMODE beats PGREQUIRESSL',
      '',
      { env: { PGREQUIRESSL: '1', PGSSLMODE: 'disable' } },
      (c) => c.sslmode,
      'disable',
    ],
    [
      'sslrootcert=system upgrades the default sslmode',
      'sslrootcert=system',
      {},
      (c) => c.sslmode,
      'verify-full',
    ],
    [
      'PGSSLROOTCERT=system upgrades it too',
      '',
      { env: { PGSSLROOTCERT: 'system' } },
      (c) => c.sslmode,
      'verify-full',
    ],
    ['later keyword wins in a string', 'port=1 port=2', {}, (c) => c.hosts[0]?.port, 2],
    ['PGAPPNAME', '', { env: { PGAPPNAME: 'env-app' } }, (c) => c.applicationName, 'env-app'],
    [
      'application_name over PGAPPNAME',
      'application_name=mine',
      { env: { PGAPPNAME: 'env-app' } },
      (c) => c.applicationName,
      'mine',
    ],
    ['PGOPTIONS', '', { env: { PGOPTIONS: '-c geqo=off' } }, (c) => c.options, '-c geqo=off'],
    ['PGCONNECT_TIMEOUT', '', { env: { PGCONNECT_TIMEOUT: '5' } }, (c) => c.connectTimeoutMs, 5000],
    [
      'PGTARGETSESSIONATTRS',
      '',
      { env: { PGTARGETSESSIONATTRS: 'standby' } },
      (c) => c.targetSessionAttrs,
      'standby',
    ],
    [
      'PGLOADBALANCEHOSTS',
      '',
      { env: { PGLOADBALANCEHOSTS: 'random' } },
      (c) => c.loadBalanceHosts,
      'random',
    ],
    [
      'PGCHANNELBINDING',
      '',
      { env: { PGCHANNELBINDING: 'require' } },
      (c) => c.channelBinding,
      'require',
    ],
    [
      'PGSSLNEGOTIATION',
      '',
      { env: { PGSSLNEGOTIATION: 'direct', PGSSLMODE: 'require' } },
      (c) => c.sslnegotiation,
      'direct',
    ],
    [
      'PGREQUIREAUTH',
      '',
      { env: { PGREQUIREAUTH: 'scram-sha-256' } },
      (c) => c.requireAuth,
      { methods: ['scram-sha-256'], allowNone: false },
    ],
    [
      'PGSSLCERT/PGSSLKEY',
      '',
      { env: { PGSSLCERT: '/c', PGSSLKEY: '/k' } },
      (c) => [c.sslcert, c.sslkey],
      ['/c', '/k'],
    ],
    [
      'PGHOSTADDR',
      '',
      { env: { PGHOSTADDR: '10.0.0.5' } },
      (c) => c.hosts,
      [{ host: '', hostaddr: '10.0.0.5', port: 5432, isSocket: false }],
    ],
    [
      'PGUSER and PGPASSWORD',
      '',
      { env: { PGUSER: 'bob', PGPASSWORD: 'pw' } },
      (c) => [c.user, c.password],
      ['bob', 'pw'],
    ],
    [
      'PGTZ/PGDATESTYLE/PGGEQO',
      '',
      { env: { PGTZ: 'UTC', PGDATESTYLE: 'ISO, DMY', PGGEQO: 'default' } },
      (c) => c.sessionSettings,
      { timezone: 'UTC', datestyle: 'ISO, DMY' },
    ],
  ]
  it.each(cases)('%s', (_name, input, setup, pick, expected) => {
    expect(pick(resolve(input, setup))).toEqual(expected)
  })

  it('records where each value came from', () => {
    const c = resolve(
      { connectionString: 'postgresql://h/db', applicationName: 'a', service: 'svc' },
      { files: service, env: { PGCONNECT_TIMEOUT: '9' } },
    )
    expect(c.origins).toMatchObject({
      host: 'connection-string',
      dbname: 'connection-string',
      application_name: 'options',
      port: 'service-file',
      connect_timeout: 'environment',
      sslmode: 'default',
    })
  })
})

describe('service files', () => {
  const userFile = '/home/alice/.pg_service.conf'
  const systemFile = '/etc/postgresql-common/pg_service.conf'

  it('reads ~/.pg_service.conf first and stops there', () => {
    const c = resolve('service=s', {
      files: { [userFile]: '[s]\nhost=user', [systemFile]: '[s]\nhost=system\nport=1' },
    })
    expect(c.hosts[0]).toMatchObject({ host: 'user', port: 5432 })
    expect(c.service).toBe('s')
  })

  it('falls back to the system file when the user file lacks the service', () => {
    const c = resolve('service=s', {
      files: { [userFile]: '[t]\nhost=user', [systemFile]: '[s]\nhost=system' },
    })
    expect(c.hosts[0]?.host).toBe('system')
  })

  it('uses PGSYSCONFDIR for the system file', () => {
    const c = resolve('service=s', {
      env: { PGSYSCONFDIR: '/opt/pg/etc' },
      files: { '/opt/pg/etc/pg_service.conf': '[s]\nhost=sysconf', [systemFile]: '[s]\nhost=no' },
    })
    expect(c.hosts[0]?.host).toBe('sysconf')
  })

  it('uses PGSERVICEFILE instead of ~/.pg_service.conf', () => {
    const c = resolve('service=s', {
      env: { PGSERVICEFILE: '/srv/services' },
      files: { '/srv/services': '[s]\nhost=from-env-file', [userFile]: '[s]\nhost=no' },
    })
    expect(c.hosts[0]?.host).toBe('from-env-file')
  })

  it('uses the servicefile keyword over PGSERVICEFILE', () => {
    const c = resolve('service=s servicefile=/a', {
      env: { PGSERVICEFILE: '/b' },
      files: { '/a': '[s]\nhost=a', '/b': '[s]\nhost=b' },
    })
    expect(c.hosts[0]?.host).toBe('a')
  })

  it('finds the per-user file under %APPDATA% on Windows', () => {
    const c = resolve('service=s', {
      platform: 'win32',
      env: { APPDATA: 'C:\\AD' },
      files: { 'C:\\AD\\postgresql\\.pg_service.conf': '[s]\nhost=win' },
    })
    expect(c.hosts[0]?.host).toBe('win')
  })

  it('takes the service from a URI query', () => {
    const c = resolve('postgresql:///?service=s', { files: { [userFile]: '[s]\ndbname=svcdb' } })
    expect(c.dbname).toBe('svcdb')
  })

  it('keeps the first value of a keyword repeated in the section', () => {
    expect(
      resolve('service=s', { files: { [userFile]: '[s]\nport=1\nport=2' } }).hosts[0]?.port,
    ).toBe(1)
  })

  it('can supply the password, which then skips the passfile', () => {
    const c = resolve('service=s', {
      files: { [userFile]: '[s]\npassword=from-service', '/home/alice/.pgpass': '*:*:*:*:no' },
    })
    expect(c.password).toBe('from-service')
    expect(c.hosts[0]?.passwordSource).toBe('parameter')
  })

  it.each([
    [
      'missing service',
      'service=nope',
      {},
      /definition of service "nope" not found \(no service file found\)/,
    ],
    [
      'service in no file',
      'service=nope',
      { files: { [userFile]: '[s]', [systemFile]: '[t]' } },
      /definition of service "nope" not found \(searched \/home\/alice\/\.pg_service\.conf, \/etc\/postgresql-common\/pg_service\.conf\)/,
    ],
    [
      'PGSERVICEFILE missing',
      'service=s',
      { env: { PGSERVICEFILE: '/missing' } },
      /service file "\/missing" not found/,
    ],
    [
      'syntax error',
      'service=s',
      { files: { [userFile]: '[s]\nbogus' } },
      /syntax error in service file "\/home\/alice\/\.pg_service\.conf", line 2/,
    ],
  ] as const)('%s', (_name, input, setup, message) => {
    expect(() => resolve(input, setup as Setup)).toThrow(ConfigError)
    expect(() => resolve(input, setup as Setup)).toThrow(message)
  })
})

describe('passfile', () => {
  const pgpass = '/home/alice/.pgpass'

  it('finds a password per host when none was given', () => {
    const c = resolve('host=a,b,c dbname=app', {
      files: { [pgpass]: 'a:5432:app:alice:pa\nb:*:*:*:pb\n' },
    })
    expect(c.hosts.map((h) => h.password)).toEqual(['pa', 'pb', undefined])
    expect(c.hosts[0]?.passwordSource).toBe('passfile')
    expect(c.hosts[2]?.passwordSource).toBeUndefined()
    expect(c.password).toBeUndefined()
  })

  it('is not read when a password was given', () => {
    const ctx = context({ files: { [pgpass]: '*:*:*:*:file' } })
    const c = resolveConfig('password=given', ctx)
    expect(c.hosts[0]?.password).toBe('given')
    expect(c.hosts[0]?.passwordSource).toBe('parameter')
    expect(ctx.reads).not.toContain(pgpass)
  })

  it('counts PGPASSWORD as given', () => {
    const c = resolve('', { env: { PGPASSWORD: 'env' }, files: { [pgpass]: '*:*:*:*:file' } })
    expect(c.hosts[0]?.password).toBe('env')
  })

  it('treats an empty password as not given', () => {
    const c = resolve('password=', { files: { [pgpass]: '*:*:*:*:file' } })
    expect(c.hosts[0]?.password).toBe('file')
  })

  it('matches the default socket directory as localhost', () => {
    const c = resolve('', { files: { [pgpass]: 'localhost:5432:alice:alice:sock' } })
    expect(c.hosts[0]?.password).toBe('sock')
  })

  it('matches another socket directory by its path', () => {
    const c = resolve('host=/var/run/postgresql', {
      files: { [pgpass]: 'localhost:*:*:*:no\n/var/run/postgresql:*:*:*:yes' },
    })
    expect(c.hosts[0]?.password).toBe('yes')
  })

  it('matches the port as written, and the default port when none was', () => {
    const file = { [pgpass]: 'h:5433:*:*:p5433\nh:5432:*:*:p5432' }
    expect(resolve('host=h port=5433', { files: file }).hosts[0]?.password).toBe('p5433')
    expect(resolve('host=h', { files: file }).hosts[0]?.password).toBe('p5432')
  })

  it('uses hostaddr when no host name was given', () => {
    const c = resolve('hostaddr=10.0.0.1', { files: { [pgpass]: '10.0.0.1:*:*:*:byaddr' } })
    expect(c.hosts[0]?.password).toBe('byaddr')
  })

  it('uses the defaulted dbname and user', () => {
    const c = resolve('user=bob', { files: { [pgpass]: '*:*:alice:*:no\n*:*:bob:bob:yes' } })
    expect(c.hosts[0]?.password).toBe('yes')
  })

  it.each([
    ['PGPASSFILE', '', { PGPASSFILE: '/etc/pw' }],
    ['passfile keyword', 'passfile=/etc/pw', {}],
    ['passfile option', { passfile: '/etc/pw' }, {}],
  ] as const)('reads the file named by %s', (_name, input, env) => {
    const c = resolve(input, {
      env,
      files: { '/etc/pw': '*:*:*:*:custom', [pgpass]: '*:*:*:*:no' },
    })
    expect(c.hosts[0]?.password).toBe('custom')
    expect(c.passfile).toBe('/etc/pw')
  })

  it('ignores a group- or world-readable file on POSIX, with a warning', () => {
    const c = resolve('', { files: { [pgpass]: { text: '*:*:*:*:p', mode: 0o100644 } } })
    expect(c.hosts[0]?.password).toBeUndefined()
    expect(c.warnings).toEqual([expect.stringMatching(/has group or world access/)])
  })

  it('accepts a 0600 file, and any file when the reader gives no mode', () => {
    expect(
      resolve('', { files: { [pgpass]: { text: '*:*:*:*:p', mode: 0o600 } } }).hosts[0]?.password,
    ).toBe('p')
    expect(resolve('', { files: { [pgpass]: { text: '*:*:*:*:p' } } }).hosts[0]?.password).toBe('p')
  })

  it('skips the permission check on Windows', () => {
    const file = 'C:\\AD\\postgresql\\pgpass.conf'
    const c = resolve('host=h', {
      platform: 'win32',
      env: { APPDATA: 'C:\\AD' },
      files: { [file]: { text: '*:*:*:*:win', mode: 0o666 } },
    })
    expect(c.hosts[0]?.password).toBe('win')
  })
})

describe('host lists', () => {
  const cases: ReadonlyArray<readonly [string, ConnectionInput, unknown]> = [
    [
      'one port for every host',
      'host=a,b,c port=6000',
      [
        ['a', 6000],
        ['b', 6000],
        ['c', 6000],
      ],
    ],
    [
      'a port per host',
      'host=a,b port=1,2',
      [
        ['a', 1],
        ['b', 2],
      ],
    ],
    [
      'empty port entries default',
      'host=a,b port=,2',
      [
        ['a', 5432],
        ['b', 2],
      ],
    ],
    [
      'empty host entries are the default socket',
      'host=a,,b',
      [
        ['a', 5432],
        ['/tmp', 5432],
        ['b', 5432],
      ],
    ],
    [
      'URI list with IPv6',
      'postgresql://host1:5432,host2,[::1]:5433/db',
      [
        ['host1', 5432],
        ['host2', 5432],
        ['::1', 5433],
      ],
    ],
    [
      'socket path in a URI',
      'postgresql://%2Fvar%2Frun%2Fpostgresql/db',
      [['/var/run/postgresql', 5432]],
    ],
    [
      'options arrays',
      { host: ['x', 'y'], port: [1, 2] },
      [
        ['x', 1],
        ['y', 2],
      ],
    ],
  ]
  it.each(cases)('%s', (_name, input, expected) => {
    expect(resolve(input).hosts.map((h) => [h.host, h.port])).toEqual(expected)
  })

  it('pairs hostaddr with host names', () => {
    expect(resolve('host=a,b hostaddr=10.0.0.1,::1').hosts).toEqual([
      { host: 'a', hostaddr: '10.0.0.1', port: 5432, isSocket: false },
      { host: 'b', hostaddr: '::1', port: 5432, isSocket: false },
    ])
  })

  it('marks sockets, including abstract ones', () => {
    const [dir, abstract, name] = resolve('host=/run/pg,@pg,db').hosts
    expect(dir).toMatchObject({ isSocket: true, socketPath: '/run/pg/.s.PGSQL.5432' })
    expect(abstract).toMatchObject({ isSocket: true, socketPath: '@pg/.s.PGSQL.5432' })
    expect(name).toEqual({ host: 'db', port: 5432, isSocket: false })
  })

  it('treats drive paths as sockets on Windows only', () => {
    // In a keyword/value string "\\" is an escape, so a Windows path is quoted or doubled.
    expect(resolve({ host: 'C:\\pg' }, { platform: 'win32' }).hosts[0]?.isSocket).toBe(true)
    expect(resolve('host=C:\\\\pg', { platform: 'win32' }).hosts[0]?.host).toBe('C:\\pg')
    expect(resolve({ host: 'C:\\pg' }).hosts[0]?.isSocket).toBe(false)
  })

  it.each([
    ['host=a,b port=1,2,3', /^could not match 3 port numbers to 2 hosts$/, 'port'],
    ['host=a,b,c port=1,2', /^could not match 2 port numbers to 3 hosts$/, 'port'],
    ['port=1,2', /^could not match 2 port numbers to 1 hosts$/, 'port'],
    [
      'host=a,b,c hostaddr=10.0.0.1,10.0.0.2',
      /^could not match 3 host names to 2 hostaddr values$/,
      'host',
    ],
    ['hostaddr=db.example.com', /could not parse network address "db.example.com"/, 'hostaddr'],
    ['hostaddr=10.0.0.256', /could not parse network address/, 'hostaddr'],
    ['hostaddr=1:2:3:4:5:6:7:8:9', /could not parse network address/, 'hostaddr'],
  ])('rejects %s', (input, message, parameter) => {
    try {
      resolve(input)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      expect((e as Error).message).toMatch(message)
      expect((e as ConfigError).parameter).toBe(parameter)
    }
  })

  it.each([
    '127.0.0.1',
    '::1',
    '::',
    '2001:db8::1',
    'fe80::1%eth0',
    '::ffff:10.0.0.1',
    '1:2:3:4:5:6:7:8',
  ])('accepts hostaddr %s', (address) => {
    expect(resolve(`hostaddr=${address}`).hosts[0]?.hostaddr).toBe(address)
  })
})
