/**
 * The client's authentication policy: libpq's `require_auth` and `channel_binding`, as pure rules.
 * Pure: takes the server's request as plain data and decides what to answer or why to refuse.
 */
import { AuthenticationError, ConfigError } from '../errors/client.js'
import { SCRAM_SHA_256, SCRAM_SHA_256_PLUS, type ScramMechanism } from './scram.js'

/** The method names `require_auth` accepts (libpq, PostgreSQL 16+). */
export type RequireAuthMethod = 'password' | 'md5' | 'gss' | 'sspi' | 'scram-sha-256' | 'none'

/** The values of libpq's `channel_binding`. */
export type ChannelBindingMode = 'disable' | 'prefer' | 'require'

const METHODS: readonly RequireAuthMethod[] = [
  'password',
  'md5',
  'gss',
  'sspi',
  'scram-sha-256',
  'none',
]

/** A parsed, validated authentication policy. Immutable. */
export interface AuthPolicy {
  /** `require_auth` as given, for messages; `undefined` when it sets no restriction. */
  readonly requireAuth: string | undefined
  /** What `require_auth` allows; every method (and `none`) when it is unset or empty. */
  readonly allowed: ReadonlySet<RequireAuthMethod>
  readonly channelBinding: ChannelBindingMode
}

/** The raw settings {@link createAuthPolicy} validates (libpq spellings). */
export interface AuthPolicyOptions {
  /** e.g. `scram-sha-256,md5`, `!password,!md5` or `none`. Unset or empty: no restriction. */
  requireAuth?: string | undefined
  /** `disable`, `prefer` (the default) or `require`. */
  channelBinding?: string | undefined
}

function configError(parameter: string, message: string): ConfigError {
  return new ConfigError(message, { parameter })
}

/**
 * Parse libpq's `require_auth`: a comma-separated list of methods the client accepts, or a list
 * of `!method` it refuses (starting from all); the two forms cannot be mixed, a method cannot
 * repeat, and names are case-sensitive. `none` stands for "the server asks for no
 * authentication at all" (e.g. `trust`); a positive list allows that only when it names `none`,
 * a negative list unless it names `!none`. An unset or empty value allows everything.
 * Throws `ConfigError` (parameter `require_auth`) for an unknown method, a mix or a repeat.
 */
export function parseRequireAuth(value: string | undefined): ReadonlySet<RequireAuthMethod> {
  if (value === undefined || value === '') return new Set(METHODS)
  const seen = new Set<string>()
  let negated: boolean | undefined
  const listed = new Set<RequireAuthMethod>()
  for (const raw of value.split(',')) {
    const item = raw.trim()
    const isNegated = item.startsWith('!')
    const name = isNegated ? item.slice(1) : item
    if (!(METHODS as readonly string[]).includes(name)) {
      throw configError('require_auth', `invalid require_auth value: ${JSON.stringify(name)}`)
    }
    if (negated !== undefined && negated !== isNegated) {
      throw configError(
        'require_auth',
        isNegated
          ? `negative require_auth method "${item}" cannot be mixed with non-negative methods`
          : `require_auth method "${item}" cannot be mixed with negative methods`,
      )
    }
    negated = isNegated
    if (seen.has(item)) {
      throw configError('require_auth', `require_auth method "${item}" is specified more than once`)
    }
    seen.add(item)
    listed.add(name as RequireAuthMethod)
  }
  if (!negated) return listed
  return new Set(METHODS.filter((method) => !listed.has(method)))
}

/**
 * Validate `require_auth` and `channel_binding` into an {@link AuthPolicy}. Throws
 * `ConfigError` naming the parameter at fault.
 */
export function createAuthPolicy(options: AuthPolicyOptions = {}): AuthPolicy {
  const channelBinding = options.channelBinding ?? 'prefer'
  if (channelBinding !== 'disable' && channelBinding !== 'prefer' && channelBinding !== 'require') {
    throw configError(
      'channel_binding',
      `invalid channel_binding value: ${JSON.stringify(channelBinding)} (expected disable, prefer or require)`,
    )
  }
  const allowed = parseRequireAuth(options.requireAuth)
  const requireAuth = options.requireAuth === '' ? undefined : options.requireAuth
  return { requireAuth, allowed, channelBinding }
}

/** The server's authentication request, as plain data (the connection maps protocol messages). */
export type AuthRequest =
  /** AuthenticationOk. */
  | { kind: 'ok' }
  /** AuthenticationCleartextPassword. */
  | { kind: 'cleartext' }
  /** AuthenticationMD5Password. */
  | { kind: 'md5' }
  /** AuthenticationSASL with the server's mechanism list, in the server's order. */
  | { kind: 'sasl'; mechanisms: readonly string[] }
  /** AuthenticationGSS. */
  | { kind: 'gss' }
  /** AuthenticationSSPI. */
  | { kind: 'sspi' }

/** A method the client has taken part in on this connection. */
export type AuthMethod = 'password' | 'md5' | 'scram-sha-256' | 'gss' | 'sspi'

/** What the connection knows when the request arrives. */
export interface AuthContext {
  /** TLS is active on this connection. */
  tls: boolean
  /**
   * The `tls-server-end-point` hash of the server certificate is available
   * (`tlsServerEndPointHash` succeeded; it fails for e.g. Ed25519 certificates).
   */
  channelBindingAvailable: boolean
  /**
   * The exchange this connection already started, if any. `complete` means the client has done
   * its part: the password or md5 hash was sent, or (SCRAM) `verifyServerFinal` succeeded.
   * `channelBound` is the SCRAM session's `channelBound`.
   */
  exchange?: { method: AuthMethod; complete: boolean; channelBound: boolean } | undefined
}

/** What to do with the server's request. */
export type AuthDecision =
  /** Accept AuthenticationOk: authentication is over. */
  | { kind: 'accept' }
  /** Send the password in a PasswordMessage. */
  | { kind: 'cleartext' }
  /** Send `md5PasswordHash(...)` in a PasswordMessage. */
  | { kind: 'md5' }
  /** Start a SCRAM session with these options (spread into `createScramSession`). */
  | { kind: 'sasl'; mechanism: ScramMechanism; clientSupportsChannelBinding: boolean }
  /** Run GSSAPI (the policy allows it; whether the client can is the connection's business). */
  | { kind: 'gss' }
  /** Run SSPI (idem). */
  | { kind: 'sspi' }

const DESCRIPTION: Record<Exclude<AuthRequest['kind'], 'ok'>, string> = {
  cleartext: 'a cleartext password',
  md5: 'an md5-hashed password',
  sasl: 'SASL authentication',
  gss: 'GSSAPI authentication',
  sspi: 'SSPI authentication',
}

const METHOD_OF: Record<Exclude<AuthRequest['kind'], 'ok'>, AuthMethod> = {
  cleartext: 'password',
  md5: 'md5',
  sasl: 'scram-sha-256',
  gss: 'gss',
  sspi: 'sspi',
}

function refuse(message: string): AuthenticationError {
  return new AuthenticationError(message, { phase: 'authenticate' })
}

function describeRequireAuth(policy: AuthPolicy): string {
  return `require_auth=${policy.requireAuth ?? ''}`
}

/** A server-supplied mechanism list made safe to quote. */
function listMechanisms(mechanisms: readonly string[]): string {
  const shown = mechanisms.slice(0, 10).map((m) => JSON.stringify(m.replace(/[^\x20-\x7e]/g, '?')))
  return shown.length === 0 ? '(none)' : shown.join(', ')
}

/**
 * Decide how to answer the server's authentication request, or throw `AuthenticationError`
 * (phase `authenticate`) saying why the client refuses. The rules, in the order they apply:
 *
 * 1. **One exchange per connection.** A new request (other than AuthenticationOk) after an
 *    exchange has started is refused: PostgreSQL never does it, and a server (or a man in the
 *    middle) that switches to e.g. a cleartext password after SCRAM is attempting a downgrade.
 * 2. **AuthenticationOk before the client finished** its part of an exchange is refused. For
 *    SCRAM this means the server skipped the server-final-message, so it never proved it knows
 *    the password (the mutual part of SCRAM would be void).
 * 3. **`require_auth`.** A request whose method is not allowed is refused ("server requested a
 *    cleartext password, but require_auth=scram-sha-256"). SASL counts as `scram-sha-256`.
 *    AuthenticationOk with no exchange at all (e.g. `trust`) is refused unless `none` is allowed.
 * 4. **`channel_binding=require`.** Any request that cannot bind the channel (cleartext, md5,
 *    GSSAPI, SSPI) is refused before anything is sent, so no password leaks to a server that
 *    could not prove its identity; AuthenticationOk is refused unless the exchange used
 *    SCRAM-SHA-256-PLUS and completed (so `trust` and `cert` authentication are refused too).
 * 5. **SCRAM-SHA-256-PLUS offered without TLS** is refused whatever `channel_binding` says: a
 *    server offers it only over TLS, so TLS was stripped on the way (libpq refuses it too).
 * 6. **Mechanism choice.** SCRAM-SHA-256-PLUS when the server offers it, TLS is up, the
 *    certificate hash is available and `channel_binding` is not `disable`. Otherwise, with
 *    `channel_binding=require`, refuse (the server did not offer -PLUS, TLS is off, or the hash
 *    is unavailable, e.g. an Ed25519 certificate). Otherwise SCRAM-SHA-256, with
 *    `clientSupportsChannelBinding` (gs2 flag `y`) when the client could have bound the channel
 *    but the server did not offer -PLUS, so a real server that supports -PLUS detects a man in
 *    the middle who deleted it from the list. A server offering only -PLUS when the client
 *    cannot use it, or no SCRAM mechanism at all, is refused.
 *
 * Differences from libpq: rule 1 is broader (libpq only refuses a second SASL request); with
 * `channel_binding=prefer` and a certificate whose hash cannot be computed, libpq fails the
 * connection, while this policy falls back to SCRAM-SHA-256 without binding (that is what
 * `prefer` promises); GSSAPI encryption (`gssencmode`) does not count as authentication here.
 */
export function chooseAuthentication(
  policy: AuthPolicy,
  request: AuthRequest,
  context: AuthContext,
): AuthDecision {
  const { exchange } = context
  if (request.kind === 'ok') {
    if (exchange !== undefined && !exchange.complete) {
      throw refuse(
        `server sent AuthenticationOk before the ${exchange.method} exchange completed` +
          (exchange.method === 'scram-sha-256'
            ? ' (it never proved that it knows the password)'
            : ''),
      )
    }
    if (exchange === undefined && !policy.allowed.has('none')) {
      throw refuse(
        `server accepted the connection without authentication, but ${describeRequireAuth(policy)}` +
          ' requires it (server did not complete authentication)',
      )
    }
    if (policy.channelBinding === 'require' && !exchange?.channelBound) {
      throw refuse(
        'channel_binding=require, but the server authenticated the client without channel binding',
      )
    }
    return { kind: 'accept' }
  }

  if (exchange !== undefined) {
    throw refuse(
      `server requested ${DESCRIPTION[request.kind]} after the ${exchange.method} exchange had ` +
        'started; refusing a second authentication exchange',
    )
  }
  if (!policy.allowed.has(METHOD_OF[request.kind])) {
    throw refuse(
      `server requested ${DESCRIPTION[request.kind]}, but ${describeRequireAuth(policy)}`,
    )
  }
  if (request.kind !== 'sasl') {
    if (policy.channelBinding === 'require') {
      throw refuse(
        `channel_binding=require, but the server requested ${DESCRIPTION[request.kind]}, ` +
          'which cannot bind the channel',
      )
    }
    return { kind: request.kind }
  }

  const offersPlus = request.mechanisms.includes(SCRAM_SHA_256_PLUS)
  const offersPlain = request.mechanisms.includes(SCRAM_SHA_256)
  if (offersPlus && !context.tls) {
    throw refuse(
      'server offered SCRAM-SHA-256-PLUS over a connection without TLS; ' +
        'TLS may have been stripped by a man in the middle',
    )
  }
  const canBind =
    context.tls && context.channelBindingAvailable && policy.channelBinding !== 'disable'
  if (offersPlus && canBind) {
    return { kind: 'sasl', mechanism: SCRAM_SHA_256_PLUS, clientSupportsChannelBinding: true }
  }
  if (policy.channelBinding === 'require') {
    if (!context.tls) {
      throw refuse('channel_binding=require, but the connection does not use TLS')
    }
    if (!offersPlus) {
      throw refuse('channel_binding=require, but the server did not offer SCRAM-SHA-256-PLUS')
    }
    throw refuse(
      'channel_binding=require, but the channel binding data (the hash of the server ' +
        'certificate) is not available',
    )
  }
  if (offersPlain) {
    return { kind: 'sasl', mechanism: SCRAM_SHA_256, clientSupportsChannelBinding: canBind }
  }
  if (offersPlus) {
    throw refuse(
      'server offered only SCRAM-SHA-256-PLUS, but ' +
        (policy.channelBinding === 'disable'
          ? 'channel_binding=disable'
          : 'the channel binding data (the hash of the server certificate) is not available'),
    )
  }
  throw refuse(
    `none of the server's SASL mechanisms is supported (offered: ${listMechanisms(request.mechanisms)})`,
  )
}
