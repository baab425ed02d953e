/**
 * `connect()`: resolves the config, then tries each host in turn (libpq order, or shuffled with
 * load_balance_hosts=random): transport, SSLRequest and TLS per sslmode, startup, authentication,
 * target_session_attrs. Per-host connect_timeout; every failure is a typed error naming the host.
 */
import { type AuthPolicy, createAuthPolicy } from '../auth/policy.js'
import type { ConnectionConfig, HostTarget } from '../conninfo/config.js'
import { DatabaseError, type TuskError } from '../errors/base.js'
import {
  ConfigError,
  ConnectionError,
  ConnectTimeout,
  ProtocolError,
  TlsError,
} from '../errors/client.js'
import { PROTOCOL_3_0, PROTOCOL_3_2 } from '../protocol/codes.js'
import { decodeEncryptionResponse } from '../protocol/encryption-response.js'
import { encodeSSLRequest, encodeStartupMessage } from '../protocol/frontend.js'
import type { Runtime } from '../runtime/runtime.js'
import {
  formatHostPort,
  type TlsSession,
  type Transport,
  type TransportTarget,
} from '../runtime/transport.js'
import { defaultTypes, type TypeOptions, TypeRegistry } from '../types/index.js'
import { sendCancelRequest } from './cancel.js'
import {
  Connection,
  type ConnectionHooks,
  type ResultLimits,
  type StatementCacheSettings,
} from './connection.js'
import { DEFAULT_LOCK_DIAGNOSIS_MS, type SideQuery } from './lock-diagnosis.js'
import { type PoolerMode, poolerOptions } from './pooler.js'
import { resultLimits } from './result-limits.js'
import { StartupOperation, type StartupResult } from './startup.js'
import { type TlsSettings, tlsFailure, tlsOptionsFor } from './tls.js'

/** Options of {@link connect} beyond the libpq parameters. */
export interface ConnectOptions extends ConnectionHooks, StatementCacheSettings, ResultLimits {
  /**
   * Lock-wait diagnosis (default on, bounded by 300 ms): when a statement waiting on a lock is
   * canceled or times out, or a lock cannot be had (`55P03`), its error names the sessions that
   * hold the lock (`blockers`), asked on a short-lived side connection, one at a time in the
   * process. `false` turns it off; `{ timeout }` changes the bound.
   */
  lockDiagnosis?: boolean | { timeout?: number }
  /**
   * Called as each statement is sent; a non-empty result (such as `traceparent='00-…'`, the
   * sqlcommenter style) is appended to it as a block comment on a line of its own, so the
   * server's logs and `pg_stat_activity` show it. A statement sent with a comment is not prepared
   * (its text is new each time); comment delimiters inside the result are escaped. Default: none.
   */
  statementComment?: () => string | undefined
  /** `statement_timeout` of the session, in ms (sent at startup). */
  statementTimeout?: number
  /** `lock_timeout` of the session, in ms (sent at startup). */
  lockTimeout?: number
  /** `idle_in_transaction_session_timeout` of the session, in ms (sent at startup). */
  idleInTransactionSessionTimeout?: number
  /** Type mapping of this connection (int8 as bigint/number/string, dates, custom parsers), or a registry. */
  types?: TypeOptions | TypeRegistry
  /** Abort connecting. */
  signal?: AbortSignal
  /**
   * Per-attempt connect timeout in ms, exact (0 = none). Overrides the `connect_timeout`
   * keyword, which keeps libpq's meaning: whole seconds, at least 2 (so `connectTimeout` inside
   * a conninfo object is that keyword, in seconds; this option is the millisecond one).
   */
  connectTimeout?: number
  /** Largest server message accepted, in bytes (default 1 GiB, the server's own limit). */
  maxMessageSize?: number
  /** Replace runtime pieces (transport, crypto, environment). */
  runtime?: Partial<Runtime>
  /**
   * Capture the caller's stack when each query is issued (2–4 µs per query) rather than when it
   * fails (free; shows the async functions awaiting it, as V8's async stack traces do).
   */
  eagerStacks?: boolean
  /**
   * The password (overrides the one in `conninfo`), or a function called for each connection
   * attempt (e.g. a cloud IAM token).
   */
  password?: string | (() => string | Promise<string>)
  /**
   * After a query's `timeout` or `signal` sends a CancelRequest, how long (ms, default 2 000) to
   * wait for the server's answer before the link is taken as dead and the connection closed as
   * lost. Bounds a query on a link that went silent to `timeout` + `cancelGrace`.
   */
  cancelGrace?: number
  /**
   * The pooler in front of the server, if any. `'transaction'` (PgBouncer's transaction mode):
   * unnamed statements only, and options that need session state (`prepare: true`,
   * `statementTimeout`, `lockTimeout`, `idleInTransactionSessionTimeout`, LISTEN) are refused.
   * `'session'` changes nothing.
   */
  pooler?: PoolerMode
}

/** Connects with an already resolved config (the pool resolves once and connects many times). */
export async function connectWithConfig(
  config: ConnectionConfig,
  options: ConnectOptions,
  runtime: Runtime,
  password?: string,
): Promise<Connection> {
  options = poolerOptions(options)
  if (config.clientEncoding !== undefined && !/^utf-?8$/i.test(config.clientEncoding)) {
    throw new ConfigError(
      `client_encoding=${config.clientEncoding} is not supported: Tusk speaks UTF8 only (strings are converted by the server)`,
      { parameter: 'client_encoding' },
    )
  }
  refuseUnsupported(config)
  const policy = createAuthPolicy({
    requireAuth: config.parameters.require_auth,
    channelBinding: config.channelBinding,
  })
  const hosts = [...config.hosts]
  if (config.loadBalanceHosts === 'random') shuffle(hosts)
  const passes =
    config.targetSessionAttrs === 'prefer-standby'
      ? ['standby', 'any']
      : [config.targetSessionAttrs]
  const failures: { peer: string; error: TuskError }[] = []
  for (const want of passes) {
    for (const host of hosts) {
      if (options.signal?.aborted) {
        throw new ConnectionError('connecting was aborted', {
          phase: 'connect',
          safeToRetry: true,
          cause: options.signal.reason,
        })
      }
      try {
        const target = password === undefined ? host : { ...host, password }
        const conn = await connectHost(config, target, policy, options, runtime)
        const mismatch = await sessionAttrsMismatch(conn, want)
        if (mismatch === undefined) {
          conn.sideQuery = sideQueryFor(config, target, policy, runtime)
          return conn
        }
        await conn.close()
        failures.push({
          peer: conn.host,
          error: new ConnectionError(
            `server at ${conn.host} is ${mismatch}; target_session_attrs=${want}`,
            {
              host: conn.host,
              phase: 'connect',
              safeToRetry: true,
            },
          ),
        })
      } catch (err) {
        const error = err as TuskError
        if (options.signal?.aborted || refusedByServer(error)) throw error
        failures.push({ peer: peerOf(host), error })
      }
    }
  }
  if (failures.length === 1) throw failures[0]!.error
  // Every host refused by the runtime itself (an entry without sockets, no Unix sockets on
  // Workers): the configuration is at fault, not the network, and retrying cannot help.
  if (failures.every((f) => f.error instanceof ConfigError)) throw failures[0]!.error
  const last = failures[failures.length - 1]!.error
  throw new ConnectionError(
    `could not connect to any of ${failures.length} servers: ${failures.map((f) => f.error.message).join('; ')}`,
    { phase: 'connect', cause: last, safeToRetry: true },
  )
}

/**
 * True when a server answered the startup with an error that ends the whole attempt. As libpq
 * does, a server that refuses the login (wrong password, unknown role or database, too many
 * connections) is final: the remaining hosts are not tried, so a typo never lands a session on
 * another server. Only `57P03` (cannot connect now: starting up, shutting down, a standby not yet
 * accepting reads) moves on to the next host.
 */
function refusedByServer(error: TuskError): boolean {
  return error instanceof DatabaseError && 'code' in error && error.code !== '57P03'
}

/**
 * Parameters whose silent omission would weaken what the user asked for are refused; tuning
 * knobs Node cannot set (keepalives_interval/count, tcp_user_timeout) are accepted and ignored.
 */
function refuseUnsupported(config: ConnectionConfig): void {
  const refuse = (parameter: string, why: string): never => {
    throw new ConfigError(`${parameter} is not supported: ${why}`, { parameter })
  }
  if (config.requirepeer !== undefined) {
    refuse('requirepeer', 'Node.js cannot read the peer credentials of a Unix socket')
  }
  if (config.sslcrldir !== undefined) {
    refuse('sslcrldir', 'give the revocation list as one file with sslcrl')
  }
  if (config.sslcertmode === 'require') {
    refuse('sslcertmode=require', 'Node.js cannot tell whether the server asked for a certificate')
  }
  if (config.sslkeylogfile !== undefined) refuse('sslkeylogfile', 'not implemented')
}

/** The registry for `types`: defaults, a registry as given, or the defaults extended. */
export function registryOf(types: TypeOptions | TypeRegistry | undefined): TypeRegistry {
  if (types === undefined) return defaultTypes
  return types instanceof TypeRegistry ? types : defaultTypes.extend(types)
}

function shuffle<T>(list: T[]): void {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[list[i], list[j]] = [list[j]!, list[i]!]
  }
}

function peerOf(host: HostTarget): string {
  if (host.isSocket) return host.socketPath ?? host.host
  return formatHostPort(host.host || host.hostaddr || 'localhost', host.port)
}

function targetOf(host: HostTarget): TransportTarget {
  if (host.isSocket)
    return { kind: 'unix', path: host.socketPath ?? `${host.host}/.s.PGSQL.${host.port}` }
  return { kind: 'tcp', host: host.hostaddr ?? host.host, port: host.port }
}

function tlsSettings(config: ConnectionConfig): TlsSettings {
  const d = config.sslDefaultFiles
  return {
    sslmode: config.sslmode,
    sslnegotiation: config.sslnegotiation,
    sslrootcert: config.sslrootcert ?? d?.rootcert,
    sslcert: config.sslcert,
    sslkey: config.sslkey,
    sslpassword: config.sslpassword,
    sslcrl: config.sslcrl,
    sslsni: config.sslsni,
    sslcertmode: config.sslcertmode,
    sslMinProtocolVersion: config.sslMinProtocolVersion,
    sslMaxProtocolVersion: config.sslMaxProtocolVersion,
  }
}

type TlsPlan = 'none' | 'try' | 'must'

/** Connects to one host, applying sslmode's fallbacks (allow: plain then TLS; prefer: TLS then plain). */
async function connectHost(
  config: ConnectionConfig,
  host: HostTarget,
  policy: AuthPolicy,
  options: ConnectOptions,
  runtime: Runtime,
): Promise<Connection> {
  const mode = config.sslmode
  if (host.isSocket || mode === 'disable')
    return attempt(config, host, policy, options, runtime, 'none')
  if (mode === 'allow') {
    try {
      return await attempt(config, host, policy, options, runtime, 'none')
    } catch (err) {
      if (!(err instanceof DatabaseError) || !('code' in err) || options.signal?.aborted) throw err
      return attempt(config, host, policy, options, runtime, 'must')
    }
  }
  if (mode === 'prefer') {
    try {
      return await attempt(config, host, policy, options, runtime, 'try')
    } catch (err) {
      if (!(err instanceof TlsError) || options.signal?.aborted) throw err
      return attempt(config, host, policy, options, runtime, 'none')
    }
  }
  return attempt(config, host, policy, options, runtime, 'must')
}

/** The bound of a lock-wait diagnosis for the `lockDiagnosis` option; undefined when off. */
function lockDiagnosisBound(option: ConnectOptions['lockDiagnosis']): number | undefined {
  if (option === false) return undefined
  if (typeof option === 'object') return option.timeout ?? DEFAULT_LOCK_DIAGNOSIS_MS
  return DEFAULT_LOCK_DIAGNOSIS_MS
}

/**
 * Lock-wait diagnosis's side connection: a fresh session to the same host with the same
 * credentials, connect and statement bounded, closed after its one statement.
 */
function sideQueryFor(
  config: ConnectionConfig,
  host: HostTarget,
  policy: AuthPolicy,
  runtime: Runtime,
): SideQuery {
  return async (text, params, boundMs) => {
    const side = await connectHost(
      config,
      host,
      policy,
      { connectTimeout: boundMs, statementTimeout: boundMs, lockDiagnosis: false },
      runtime,
    )
    try {
      return (await side.query<Record<string, unknown>>(text, params, { prepare: false })).rows
    } finally {
      side.close().catch(() => {})
    }
  }
}

/** One try: transport, optional TLS, startup. Bounded by connect_timeout and the caller's signal. */
async function attempt(
  config: ConnectionConfig,
  host: HostTarget,
  policy: AuthPolicy,
  options: ConnectOptions,
  runtime: Runtime,
  plan: TlsPlan,
): Promise<Connection> {
  const peer = peerOf(host)
  const controller = new AbortController()
  const timeoutMs =
    options.connectTimeout === undefined
      ? config.connectTimeoutMs
      : options.connectTimeout > 0
        ? options.connectTimeout
        : undefined
  const timeoutName = options.connectTimeout === undefined ? 'connect_timeout' : 'connectTimeout'
  let timedOut = false
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true
          controller.abort()
        }, timeoutMs)
  const onOuterAbort = (): void => controller.abort()
  options.signal?.addEventListener('abort', onOuterAbort, { once: true })
  let transport: Transport | undefined
  let conn: Connection | undefined
  const aborted = (): TuskError =>
    timedOut
      ? new ConnectTimeout(
          `timed out connecting to ${peer} after ${timeoutMs} ms (${timeoutName})`,
          {
            host: peer,
            phase: 'connect',
            safeToRetry: true,
          },
        )
      : new ConnectionError(`connecting to ${peer} was aborted`, {
          host: peer,
          phase: 'connect',
          safeToRetry: true,
          cause: options.signal?.reason,
        })
  const guard = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (controller.signal.aborted) return reject(aborted())
      const onAbort = (): void => reject(aborted())
      controller.signal.addEventListener('abort', onAbort, { once: true })
      p.then(
        (v) => {
          controller.signal.removeEventListener('abort', onAbort)
          resolve(v)
        },
        (e) => {
          controller.signal.removeEventListener('abort', onAbort)
          reject(e)
        },
      )
    })
  try {
    try {
      transport = await guard(
        runtime.transport.connect(targetOf(host), {
          keepAlive: config.keepalives,
          ...(config.keepalivesIdleMs ? { keepAliveIdleMs: config.keepalivesIdleMs } : {}),
          signal: controller.signal,
        }),
      )
    } catch (err) {
      if (controller.signal.aborted) throw aborted()
      // A runtime that cannot open this kind of transport at all (no Unix sockets) says so.
      if (err instanceof ConfigError) throw err
      const e = err as Error & { code?: string }
      throw new ConnectionError(`could not connect to ${peer}: ${describeSystemError(e)}`, {
        host: peer,
        phase: 'connect',
        safeToRetry: true,
        ...(e.code ? { errno: e.code } : {}),
        cause: err,
      })
    }
    conn = new Connection({
      transport,
      host: peer,
      ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
      hooks: options,
      types: registryOf(options.types),
      cache: options,
      limits: resultLimits(options, runtime.heapLimit),
      queryLog: options.logQueries,
      ...(options.statementComment ? { statementComment: options.statementComment } : {}),
      secret: host.password ?? config.password,
      lockDiagnosisMs: lockDiagnosisBound(options.lockDiagnosis),
      eagerStacks: options.eagerStacks === true,
      ...(options.cancelGrace !== undefined ? { cancelGrace: options.cancelGrace } : {}),
    })
    let tls: TlsSession | null = null
    const settings = tlsSettings(config)
    const checkHost = host.host || host.hostaddr || 'localhost'
    const tlsOptions =
      plan === 'none'
        ? undefined
        : tlsOptionsFor(
            settings,
            checkHost,
            runtime.context.homeDir,
            runtime.readBytes,
            runtime.platformTrust,
          )
    if (tlsOptions) {
      let upgrade = config.sslnegotiation === 'direct'
      if (!upgrade) {
        const c = conn
        c.writeNow(encodeSSLRequest)
        const raw = await guard(c.readRaw())
        let answer: ReturnType<typeof decodeEncryptionResponse>
        try {
          answer = decodeEncryptionResponse(raw, 'SSLRequest')
        } catch (err) {
          // The codec cannot know where it was; name the server and the step for the user.
          if (err instanceof ProtocolError) {
            err.host ??= peer
            err.phase ??= 'tls'
          }
          throw err
        }
        // readRaw left reading paused, so that nothing reads the socket before startTls.
        if (answer === 'accepted') upgrade = true
        else if (answer === 'error') {
          throw new ProtocolError(`server at ${peer} answered SSLRequest with an error`, {
            host: peer,
            phase: 'tls',
            messageType: 'SSLRequest',
          })
        } else if (plan === 'must') {
          throw new TlsError(
            `server at ${peer} does not support SSL, but SSL was required (sslmode=${config.sslmode})`,
            { host: peer, phase: 'tls', safeToRetry: true },
          )
        } else c.resumeReading()
      }
      if (upgrade) {
        try {
          tls = await guard(conn.transport.startTls({ ...tlsOptions, signal: controller.signal }))
        } catch (err) {
          if (controller.signal.aborted) throw aborted()
          // A TLS setting the runtime cannot honour is the configuration's fault, not the server's.
          if (err instanceof ConfigError) throw err
          throw tlsFailure(err, settings, peer, checkHost)
        }
      }
    }
    const c = conn
    const result = await guard(
      new Promise<StartupResult>((resolve, reject) => {
        const op = new StartupOperation(
          {
            host: peer,
            user: config.user,
            password: host.password ?? config.password,
            passfileProblem: config.warnings.find((w) => w.startsWith('password file')),
            policy,
            crypto: runtime.crypto,
            tls,
            certificateSent: tls !== null && tlsOptions?.cert !== undefined,
            write: (encode) => c.writeNow(encode),
          },
          resolve,
          reject,
        )
        c.enqueue(op, (w) =>
          encodeStartupMessage(w, startupParameters(config, options), protocolVersion(config)),
        )
      }),
    ).catch((err: unknown) => {
      // A runtime whose TLS handshake completes only on first use (workerd) reports a failed
      // handshake as the link dropping during startup: it is a TLS failure all the same.
      if (tls !== null && (err as { errno?: string }).errno === 'ERR_TLS_HANDSHAKE') {
        throw tlsFailure((err as { cause?: unknown }).cause ?? err, settings, peer, checkHost)
      }
      throw err
    })
    // Bytes that came in the chunk that ended startup may already have broken the link.
    if (conn.closed)
      throw (
        conn.closeReason ??
        new ConnectionError(`connection to ${peer} closed during startup`, {
          host: peer,
          phase: 'connect',
        })
      )
    const requestedMinor = protocolVersion(config) & 0xffff
    if (result.negotiatedMinor !== undefined && result.negotiatedMinor > requestedMinor) {
      // A negotiation only ever lowers the version; libpq refuses an "upgrade" the same way.
      throw new ProtocolError(
        `server at ${peer} answered with protocol 3.${result.negotiatedMinor} in NegotiateProtocolVersion, newer than the 3.${requestedMinor} requested`,
        { host: peer, phase: 'startup', messageType: 'NegotiateProtocolVersion' },
      )
    }
    if (
      result.negotiatedMinor !== undefined &&
      config.minProtocolVersion === '3.2' &&
      result.negotiatedMinor < 2
    ) {
      throw new ConnectionError(
        `server at ${peer} supports protocol 3.${result.negotiatedMinor} only, but min_protocol_version=3.2`,
        { host: peer, phase: 'startup' },
      )
    }
    const encoding = conn.parameters.get('client_encoding')
    if (encoding !== undefined && encoding.toUpperCase() !== 'UTF8') {
      throw new ConnectionError(
        `server at ${peer} uses client_encoding ${encoding}; Tusk requires UTF8 (remove client_encoding from the connection options)`,
        { host: peer, phase: 'startup' },
      )
    }
    const minor = result.negotiatedMinor ?? (protocolVersion(config) === PROTOCOL_3_2 ? 2 : 0)
    conn.backendKey = { processId: result.processId, secretKey: result.secretKey }
    conn.markReady({
      host: peer,
      user: config.user,
      database: config.dbname,
      tls,
      authMethod: result.authMethod,
      protocolVersion: `3.${minor}`,
    })
    const target = targetOf(host)
    const key = conn.backendKey
    // The cancel key is a secret: send it over TLS when the session uses TLS (direct
    // negotiation excepted: the cancel path always starts with SSLRequest).
    const cancelTls =
      tls && tlsOptions && config.sslnegotiation !== 'direct' ? tlsOptions : undefined
    conn.cancelRequest = () => sendCancelRequest(runtime.transport, target, key, cancelTls)
    return conn
  } catch (err) {
    if (conn) conn.destroy()
    else transport?.destroy()
    throw err
  } finally {
    if (timer) clearTimeout(timer)
    options.signal?.removeEventListener('abort', onOuterAbort)
  }
}

function describeSystemError(e: Error & { code?: string }): string {
  if (e.code === 'ECONNREFUSED')
    return 'connection refused (ECONNREFUSED); is the server running and accepting connections on that address?'
  if (e.code === 'ENOENT')
    return 'no such socket file (ENOENT); is the server running locally and accepting connections on that socket?'
  if (e.code && !e.message.includes(e.code)) return `${e.message} (${e.code})`
  return e.message
}

function protocolVersion(config: ConnectionConfig): number {
  return config.maxProtocolVersion === '3.2' ? PROTOCOL_3_2 : PROTOCOL_3_0
}

/** The StartupMessage parameters: user, database, options, application name, UTF8, session settings. */
function startupParameters(
  config: ConnectionConfig,
  options: ConnectOptions,
): Record<string, string> {
  const params: Record<string, string> = { user: config.user, database: config.dbname }
  if (config.replication !== false)
    params.replication = config.replication === true ? 'true' : 'database'
  if (config.options) params.options = config.options
  const app = config.applicationName ?? config.fallbackApplicationName
  if (app !== undefined) params.application_name = app
  params.client_encoding = 'UTF8'
  // The text decoders read ISO dates; PGDATESTYLE or options can still override it.
  params.DateStyle = 'ISO, MDY'
  for (const [k, v] of Object.entries(config.sessionSettings)) params[k] = v
  const ms = (v: number) => `${Math.max(0, Math.round(v))}ms`
  if (options.statementTimeout !== undefined)
    params.statement_timeout = ms(options.statementTimeout)
  if (options.lockTimeout !== undefined) params.lock_timeout = ms(options.lockTimeout)
  if (options.idleInTransactionSessionTimeout !== undefined) {
    params.idle_in_transaction_session_timeout = ms(options.idleInTransactionSessionTimeout)
  }
  return params
}

/** Why a connected server does not match target_session_attrs, or undefined when it does. */
async function sessionAttrsMismatch(conn: Connection, want: string): Promise<string | undefined> {
  if (want === 'any') return undefined
  if (want === 'read-write' || want === 'read-only') {
    let readOnly: boolean
    const dtro = conn.parameters.get('default_transaction_read_only')
    const hot = conn.parameters.get('in_hot_standby')
    if (dtro !== undefined && hot !== undefined) readOnly = dtro === 'on' || hot === 'on'
    else {
      const [r] = await conn.simpleQuery('SHOW transaction_read_only')
      readOnly = r?.rows[0]?.[0] === 'on'
    }
    if (want === 'read-write' && readOnly) return 'read-only'
    if (want === 'read-only' && !readOnly) return 'read-write'
    return undefined
  }
  let standby: boolean
  const hot = conn.parameters.get('in_hot_standby')
  if (hot !== undefined) standby = hot === 'on'
  else {
    const [r] = await conn.simpleQuery('SELECT pg_catalog.pg_is_in_recovery()')
    standby = r?.rows[0]?.[0] === 't'
  }
  if (want === 'primary' && standby) return 'a standby'
  if (want === 'standby' && !standby) return 'a primary'
  return undefined
}
