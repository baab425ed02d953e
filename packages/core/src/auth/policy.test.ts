import { describe, expect, it } from 'vitest'
import { AuthenticationError, ConfigError } from '../errors/client.js'
import {
  type AuthContext,
  type AuthDecision,
  type AuthRequest,
  chooseAuthentication,
  createAuthPolicy,
  parseRequireAuth,
} from './policy.js'

const PLUS = 'SCRAM-SHA-256-PLUS' as const
const PLAIN = 'SCRAM-SHA-256' as const

const tlsWithHash: AuthContext = { tls: true, channelBindingAvailable: true }
const tlsNoHash: AuthContext = { tls: true, channelBindingAvailable: false }
const plainTcp: AuthContext = { tls: false, channelBindingAvailable: false }

const done = (method: 'password' | 'md5' | 'scram-sha-256', channelBound = false): AuthContext => ({
  ...tlsWithHash,
  exchange: { method, complete: true, channelBound },
})

const sasl = (...mechanisms: string[]): AuthRequest => ({ kind: 'sasl', mechanisms })

function decide(
  options: { requireAuth?: string; channelBinding?: string },
  request: AuthRequest,
  context: AuthContext,
): AuthDecision | string {
  try {
    return chooseAuthentication(createAuthPolicy(options), request, context)
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error
    return `refused: ${error.message}`
  }
}

describe('parseRequireAuth', () => {
  const sorted = (value: string | undefined) => [...parseRequireAuth(value)].sort()

  it('allows everything when unset or empty', () => {
    const all = ['gss', 'md5', 'none', 'password', 'scram-sha-256', 'sspi']
    expect(sorted(undefined)).toEqual(all)
    expect(sorted('')).toEqual(all)
  })

  it('reads a positive list', () => {
    expect(sorted('scram-sha-256,md5')).toEqual(['md5', 'scram-sha-256'])
    expect(sorted('none')).toEqual(['none'])
  })

  it('reads a negative list as everything but the listed methods', () => {
    expect(sorted('!password,!md5')).toEqual(['gss', 'none', 'scram-sha-256', 'sspi'])
    expect(sorted('!none')).toEqual(['gss', 'md5', 'password', 'scram-sha-256', 'sspi'])
  })

  it.each([
    ['scram-sha-256,!md5', /negative require_auth method "!md5" cannot be mixed/],
    ['!password,!none,scram-sha-256', /"scram-sha-256" cannot be mixed with negative methods/],
    ['password,md5,password', /"password" is specified more than once/],
    ['!none,!md5,!none', /"!none" is specified more than once/],
    ['none,abcdefg', /invalid require_auth value: "abcdefg"/],
    ['SCRAM-SHA-256', /invalid require_auth value/],
    ['md5,,password', /invalid require_auth value: ""/],
  ])('refuses %j', (value, pattern) => {
    let error: unknown
    try {
      parseRequireAuth(value)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).parameter).toBe('require_auth')
    expect((error as Error).message).toMatch(pattern)
  })
})

describe('createAuthPolicy', () => {
  it('defaults to channel_binding=prefer and no require_auth', () => {
    const policy = createAuthPolicy()
    expect(policy.channelBinding).toBe('prefer')
    expect(policy.requireAuth).toBeUndefined()
    expect(policy.allowed.size).toBe(6)
  })

  it('refuses an unknown channel_binding', () => {
    expect(() => createAuthPolicy({ channelBinding: 'always' })).toThrow(ConfigError)
  })
})

describe('chooseAuthentication', () => {
  const plus: AuthDecision = { kind: 'sasl', mechanism: PLUS, clientSupportsChannelBinding: true }
  const plainY: AuthDecision = {
    kind: 'sasl',
    mechanism: PLAIN,
    clientSupportsChannelBinding: true,
  }
  const plainN: AuthDecision = {
    kind: 'sasl',
    mechanism: PLAIN,
    clientSupportsChannelBinding: false,
  }

  it.each<
    [
      string,
      { requireAuth?: string; channelBinding?: string },
      AuthRequest,
      AuthContext,
      AuthDecision | RegExp,
    ]
  >([
    // Mechanism choice.
    ['PLUS over TLS with the hash', {}, sasl(PLUS, PLAIN), tlsWithHash, plus],
    ['PLUS listed second', {}, sasl(PLAIN, PLUS), tlsWithHash, plus],
    ['no PLUS offered over TLS: flag y', {}, sasl(PLAIN), tlsWithHash, plainY],
    ['no TLS: flag n', {}, sasl(PLAIN), plainTcp, plainN],
    ['no hash (e.g. Ed25519): flag n', {}, sasl(PLUS, PLAIN), tlsNoHash, plainN],
    [
      'channel_binding=disable',
      { channelBinding: 'disable' },
      sasl(PLUS, PLAIN),
      tlsWithHash,
      plainN,
    ],
    [
      'channel_binding=require with PLUS',
      { channelBinding: 'require' },
      sasl(PLUS, PLAIN),
      tlsWithHash,
      plus,
    ],
    ['unknown mechanisms are skipped', {}, sasl('OAUTHBEARER', PLAIN), plainTcp, plainN],
    [
      'PLUS offered without TLS',
      {},
      sasl(PLUS, PLAIN),
      plainTcp,
      /SCRAM-SHA-256-PLUS over a connection without TLS/,
    ],
    [
      'PLUS offered without TLS, binding disabled',
      { channelBinding: 'disable' },
      sasl(PLUS, PLAIN),
      plainTcp,
      /without TLS/,
    ],
    [
      'require, server without PLUS',
      { channelBinding: 'require' },
      sasl(PLAIN),
      tlsWithHash,
      /channel_binding=require, but the server did not offer SCRAM-SHA-256-PLUS/,
    ],
    [
      'require without TLS',
      { channelBinding: 'require' },
      sasl(PLAIN),
      plainTcp,
      /channel_binding=require, but the connection does not use TLS/,
    ],
    [
      'require without the hash',
      { channelBinding: 'require' },
      sasl(PLUS, PLAIN),
      tlsNoHash,
      /certificate\) is not available/,
    ],
    [
      'only PLUS, binding disabled',
      { channelBinding: 'disable' },
      sasl(PLUS),
      tlsWithHash,
      /only SCRAM-SHA-256-PLUS, but channel_binding=disable/,
    ],
    [
      'only PLUS, no hash',
      {},
      sasl(PLUS),
      tlsNoHash,
      /only SCRAM-SHA-256-PLUS, but the channel binding data/,
    ],
    [
      'no SCRAM at all',
      {},
      sasl('OAUTHBEARER'),
      tlsWithHash,
      /none of the server's SASL mechanisms is supported \(offered: "OAUTHBEARER"\)/,
    ],
    ['an empty mechanism list', {}, sasl(), tlsWithHash, /offered: \(none\)/],

    // Other methods.
    ['cleartext allowed by default', {}, { kind: 'cleartext' }, tlsWithHash, { kind: 'cleartext' }],
    ['md5 allowed by default', {}, { kind: 'md5' }, plainTcp, { kind: 'md5' }],
    ['gss allowed by default', {}, { kind: 'gss' }, plainTcp, { kind: 'gss' }],
    ['sspi allowed by default', {}, { kind: 'sspi' }, plainTcp, { kind: 'sspi' }],

    // require_auth.
    [
      'cleartext vs require_auth=scram-sha-256',
      { requireAuth: 'scram-sha-256' },
      { kind: 'cleartext' },
      tlsWithHash,
      /server requested a cleartext password, but require_auth=scram-sha-256/,
    ],
    [
      'md5 vs require_auth=scram-sha-256',
      { requireAuth: 'scram-sha-256' },
      { kind: 'md5' },
      tlsWithHash,
      /server requested an md5-hashed password, but require_auth=scram-sha-256/,
    ],
    [
      'md5 vs require_auth=!md5',
      { requireAuth: '!md5' },
      { kind: 'md5' },
      tlsWithHash,
      /but require_auth=!md5/,
    ],
    [
      'SASL vs require_auth=password',
      { requireAuth: 'password' },
      sasl(PLAIN),
      tlsWithHash,
      /server requested SASL authentication, but require_auth=password/,
    ],
    [
      'SASL vs require_auth=none',
      { requireAuth: 'none' },
      sasl(PLAIN),
      tlsWithHash,
      /require_auth=none/,
    ],
    [
      'SASL vs require_auth=!scram-sha-256',
      { requireAuth: '!scram-sha-256' },
      sasl(PLAIN),
      tlsWithHash,
      /require_auth=!scram-sha-256/,
    ],
    [
      'gss vs require_auth=scram-sha-256,md5',
      { requireAuth: 'scram-sha-256,md5' },
      { kind: 'gss' },
      plainTcp,
      /GSSAPI/,
    ],
    [
      'md5 with require_auth=scram-sha-256,md5',
      { requireAuth: 'scram-sha-256,md5' },
      { kind: 'md5' },
      plainTcp,
      { kind: 'md5' },
    ],
    [
      'password with require_auth=!md5',
      { requireAuth: '!md5' },
      { kind: 'cleartext' },
      plainTcp,
      { kind: 'cleartext' },
    ],

    // channel_binding=require refuses methods that cannot bind, before sending anything.
    [
      'require vs cleartext',
      { channelBinding: 'require' },
      { kind: 'cleartext' },
      tlsWithHash,
      /channel_binding=require, but the server requested a cleartext password/,
    ],
    [
      'require vs md5',
      { channelBinding: 'require' },
      { kind: 'md5' },
      tlsWithHash,
      /cannot bind the channel/,
    ],
    [
      'require vs gss',
      { channelBinding: 'require' },
      { kind: 'gss' },
      tlsWithHash,
      /cannot bind the channel/,
    ],

    // AuthenticationOk.
    ['ok without auth by default (trust)', {}, { kind: 'ok' }, plainTcp, { kind: 'accept' }],
    [
      'ok without auth, require_auth=none',
      { requireAuth: 'none' },
      { kind: 'ok' },
      plainTcp,
      { kind: 'accept' },
    ],
    [
      'ok without auth, require_auth=!md5',
      { requireAuth: '!md5' },
      { kind: 'ok' },
      plainTcp,
      { kind: 'accept' },
    ],
    [
      'ok without auth, require_auth=scram-sha-256',
      { requireAuth: 'scram-sha-256' },
      { kind: 'ok' },
      plainTcp,
      /without authentication, but require_auth=scram-sha-256 requires it/,
    ],
    [
      'ok without auth, require_auth=!none',
      { requireAuth: '!none' },
      { kind: 'ok' },
      plainTcp,
      /server did not complete authentication/,
    ],
    [
      'ok without auth, require_auth=scram-sha-256,none',
      { requireAuth: 'scram-sha-256,none' },
      { kind: 'ok' },
      plainTcp,
      { kind: 'accept' },
    ],
    [
      'ok after SCRAM',
      { requireAuth: 'scram-sha-256' },
      { kind: 'ok' },
      done('scram-sha-256'),
      { kind: 'accept' },
    ],
    ['ok after a password', {}, { kind: 'ok' }, done('password'), { kind: 'accept' }],
    [
      'ok after SCRAM-PLUS, require',
      { channelBinding: 'require' },
      { kind: 'ok' },
      done('scram-sha-256', true),
      { kind: 'accept' },
    ],
    [
      'ok after SCRAM without binding, require',
      { channelBinding: 'require' },
      { kind: 'ok' },
      done('scram-sha-256'),
      /channel_binding=require, but the server authenticated the client without channel binding/,
    ],
    [
      'ok without auth, require (trust or cert)',
      { channelBinding: 'require' },
      { kind: 'ok' },
      tlsWithHash,
      /without channel binding/,
    ],
    [
      'ok before the SCRAM server-final',
      {},
      { kind: 'ok' },
      {
        ...tlsWithHash,
        exchange: { method: 'scram-sha-256', complete: false, channelBound: false },
      },
      /before the scram-sha-256 exchange completed \(it never proved/,
    ],

    // One exchange per connection.
    [
      'cleartext after SCRAM started',
      {},
      { kind: 'cleartext' },
      {
        ...tlsWithHash,
        exchange: { method: 'scram-sha-256', complete: false, channelBound: false },
      },
      /after the scram-sha-256 exchange had started/,
    ],
    [
      'a second SASL request',
      {},
      sasl(PLAIN),
      done('scram-sha-256'),
      /second authentication exchange/,
    ],
  ])('%s', (_name, options, request, context, expected) => {
    const result = decide(options, request, context)
    if (expected instanceof RegExp) {
      expect(result).toMatch(/^refused: /)
      expect(result).toMatch(expected)
    } else {
      expect(result).toEqual(expected)
    }
  })

  it('throws AuthenticationError with phase authenticate', () => {
    let error: unknown
    try {
      chooseAuthentication(
        createAuthPolicy({ requireAuth: 'md5' }),
        { kind: 'cleartext' },
        plainTcp,
      )
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as AuthenticationError).phase).toBe('authenticate')
  })

  it('quotes hostile mechanism names safely and briefly', () => {
    const names = Array.from({ length: 50 }, (_, i) => `X\u0000\n${i}`)
    const result = decide({}, sasl(...names), tlsWithHash)
    expect(result).not.toMatch(/[\u0000\n]/)
    expect(result).not.toContain('X??49')
  })
})
