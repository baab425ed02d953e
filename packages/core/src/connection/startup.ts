/**
 * The startup and authentication exchange, as an Operation: answers the server's Authentication
 * requests (cleartext, md5, SCRAM-SHA-256[-PLUS]) under the client's policy, until ReadyForQuery.
 */
import { tlsServerEndPointHash } from '../auth/channel-binding.js'
import { md5PasswordHash } from '../auth/md5.js'
import {
  type AuthContext,
  type AuthMethod,
  type AuthPolicy,
  type AuthRequest,
  chooseAuthentication,
} from '../auth/policy.js'
import { createScramSession, type ScramSession } from '../auth/scram.js'
import type { ServerErrorFields, TuskError } from '../errors/base.js'
import { AuthenticationError, ProtocolError } from '../errors/client.js'
import { REDACTED } from '../errors/redact.js'
import { fromServerError } from '../errors/server-error.js'
import type { BackendMessage } from '../protocol/backend.js'
import {
  encodePasswordMessage,
  encodeSASLInitialResponse,
  encodeSASLResponse,
} from '../protocol/frontend.js'
import type { Writer } from '../protocol/writer.js'
import type { CryptoRuntime } from '../runtime/crypto.js'
import type { TlsSession } from '../runtime/transport.js'
import type { AuthenticationMethod } from './connection.js'
import type { Operation } from './operation.js'

/** What the exchange needs to know. */
export interface StartupContext {
  host: string
  user: string
  /** Resolved password (option, PGPASSWORD or .pgpass), if any. */
  password: string | undefined
  /** Why the password file was ignored (permissions, not a plain file), when it was. */
  passfileProblem?: string | undefined
  policy: AuthPolicy
  crypto: CryptoRuntime
  tls: TlsSession | null
  /** A client certificate was presented in the TLS handshake. */
  certificateSent: boolean
  /** Write authentication messages at once. */
  write(encode: (w: Writer) => void): void
}

/** What a completed startup reports. */
export interface StartupResult {
  authMethod: AuthenticationMethod
  processId: number
  secretKey: Uint8Array
  /** Minor protocol version the server agreed to (0 after NegotiateProtocolVersion to 3.0). */
  negotiatedMinor: number | undefined
}

const utf8 = new TextEncoder()

/**
 * The server's error fields with the password cut out wherever it occurs: a server that received
 * it in clear text (or a man in the middle) may echo it, and errors end up in logs.
 */
function withoutPassword(
  fields: ServerErrorFields,
  password: string | undefined,
): ServerErrorFields {
  if (!password) return fields
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(fields)) {
    // A well-formed SQLSTATE is kept whatever the password: it picks the error's class.
    const keep = name === 'code' && value !== undefined && /^[0-9A-Z]{5}$/.test(value)
    out[name] = value === undefined || keep ? value : value.split(password).join(REDACTED)
  }
  return out as ServerErrorFields
}

/** Runs startup from the StartupMessage until the first ReadyForQuery. */
export class StartupOperation implements Operation {
  sent = true
  readonly query = undefined
  readonly #ctx: StartupContext
  readonly #resolve: (r: StartupResult) => void
  readonly #reject: (e: TuskError) => void
  #exchange: { method: AuthMethod; complete: boolean; channelBound: boolean } | undefined
  #scram: ScramSession | undefined
  #authenticated = false
  /** AuthenticationOk has arrived (it may still wait in the queue behind SCRAM work). */
  #authOkSeen = false
  #key: { processId: number; secretKey: Uint8Array } | undefined
  #negotiatedMinor: number | undefined
  #error: TuskError | undefined
  #settled = false
  readonly #queue: BackendMessage[] = []
  #running = false

  constructor(
    ctx: StartupContext,
    resolve: (r: StartupResult) => void,
    reject: (e: TuskError) => void,
  ) {
    this.#ctx = ctx
    this.#resolve = resolve
    this.#reject = reject
  }

  /**
   * Queues the message and processes the queue in order (SCRAM's PBKDF2 is asynchronous, and
   * the server may send SASLFinal and AuthenticationOk in one chunk). Startup ends at the first
   * ReadyForQuery, so that is when the connection may hand later messages to the next request.
   */
  handle(m: BackendMessage): boolean {
    if (m.type === 'AuthenticationOk') this.#authOkSeen = true
    if (m.type === 'ErrorResponse') {
      // Recorded at once: a FATAL error is followed by the server closing the socket.
      this.#error ??= fromServerError(withoutPassword(m.fields, this.#ctx.password), {
        host: this.#ctx.host,
        phase: this.#authOkSeen ? 'startup' : 'authenticate',
      })
    }
    if (this.#settled) return m.type === 'ReadyForQuery'
    this.#queue.push(m)
    if (!this.#running) void this.#drain()
    return m.type === 'ReadyForQuery'
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      for (
        let m = this.#queue.shift();
        m !== undefined && !this.#settled;
        m = this.#queue.shift()
      ) {
        try {
          await this.#handle(m)
        } catch (err) {
          this.fail(err as TuskError)
        }
      }
    } finally {
      this.#running = false
    }
  }

  async #handle(m: BackendMessage): Promise<boolean> {
    const ctx = this.#ctx
    // Hashed once, before the first authentication decision needs to know whether it can bind.
    if (this.#hash === undefined) await this.#hashCertificate()
    switch (m.type) {
      case 'AuthenticationOk':
        this.#decide({ kind: 'ok' })
        this.#authenticated = true
        return false
      case 'AuthenticationCleartextPassword': {
        this.#decide({ kind: 'cleartext' })
        const password = this.#requirePassword()
        ctx.write((w) => encodePasswordMessage(w, password))
        this.#exchange = { method: 'password', complete: true, channelBound: false }
        return false
      }
      case 'AuthenticationMD5Password': {
        this.#decide({ kind: 'md5' })
        const password = this.#requirePassword()
        const hash = await md5PasswordHash(ctx.user, password, m.salt, ctx.crypto)
        ctx.write((w) => encodePasswordMessage(w, hash))
        this.#exchange = { method: 'md5', complete: true, channelBound: false }
        return false
      }
      case 'AuthenticationSASL': {
        const decision = this.#decide({ kind: 'sasl', mechanisms: m.mechanisms })
        if (decision.kind !== 'sasl') throw new AuthenticationError('unexpected SASL decision')
        const password = this.#requirePassword()
        const binding =
          decision.mechanism === 'SCRAM-SHA-256-PLUS' ? this.#certificateHash() : undefined
        const session = createScramSession({
          password,
          mechanism: decision.mechanism,
          crypto: ctx.crypto,
          clientSupportsChannelBinding: decision.clientSupportsChannelBinding,
          ...(binding ? { channelBinding: binding } : {}),
        })
        this.#scram = session
        this.#exchange = { method: 'scram-sha-256', complete: false, channelBound: false }
        ctx.write((w) =>
          encodeSASLInitialResponse(w, session.mechanism, utf8.encode(session.clientFirstMessage)),
        )
        return false
      }
      case 'AuthenticationSASLContinue': {
        const session = this.#expectScram(m.type)
        const final = await session.handleServerFirst(m.data)
        if (!this.#settled) ctx.write((w) => encodeSASLResponse(w, utf8.encode(final)))
        return false
      }
      case 'AuthenticationSASLFinal': {
        const session = this.#expectScram(m.type)
        session.verifyServerFinal(m.data)
        this.#exchange = {
          method: 'scram-sha-256',
          complete: true,
          channelBound: session.channelBound,
        }
        return false
      }
      case 'AuthenticationGSS':
      case 'AuthenticationSSPI':
      case 'AuthenticationKerberosV5':
      case 'AuthenticationGSSContinue':
        if (m.type === 'AuthenticationGSS') this.#decide({ kind: 'gss' })
        if (m.type === 'AuthenticationSSPI') this.#decide({ kind: 'sspi' })
        throw new AuthenticationError(
          `server requested ${m.type.replace('Authentication', '')} authentication, which this driver does not support`,
          { host: ctx.host, phase: 'authenticate' },
        )
      case 'BackendKeyData':
        // Sent once; a second key would silently retarget every later CancelRequest.
        if (this.#key !== undefined) {
          throw new ProtocolError('server sent BackendKeyData twice', {
            messageType: m.type,
            phase: 'startup',
          })
        }
        this.#key = { processId: m.processId, secretKey: m.secretKey }
        return false
      case 'NegotiateProtocolVersion':
        // Servers send the whole version word (3 << 16 | minor) here, though the docs say minor.
        this.#negotiatedMinor = m.newestMinorVersion & 0xffff
        return false
      case 'ErrorResponse':
        return false
      case 'ReadyForQuery': {
        if (this.#error) throw this.#error
        if (!this.#authenticated) {
          throw new ProtocolError('server sent ReadyForQuery before authentication completed', {
            messageType: 'ReadyForQuery',
            phase: 'startup',
          })
        }
        const exchange = this.#exchange
        const method: AuthenticationMethod =
          exchange === undefined
            ? ctx.certificateSent
              ? 'cert'
              : 'none'
            : exchange.method === 'scram-sha-256'
              ? exchange.channelBound
                ? 'scram-sha-256-plus'
                : 'scram-sha-256'
              : exchange.method === 'md5'
                ? 'md5'
                : 'password'
        this.#settled = true
        this.#resolve({
          authMethod: method,
          processId: this.#key?.processId ?? 0,
          secretKey: this.#key?.secretKey ?? new Uint8Array(0),
          negotiatedMinor: this.#negotiatedMinor,
        })
        return true
      }
      default:
        throw new ProtocolError(`server sent ${m.type} during startup`, {
          messageType: m.type,
          phase: 'startup',
        })
    }
  }

  /** Applies the client's policy; an AuthenticationOk is checked after pending SCRAM work. */
  #decide(request: AuthRequest) {
    const context: AuthContext = {
      tls: this.#ctx.tls !== null,
      channelBindingAvailable: this.#certificateHash() !== undefined,
      exchange: this.#exchange,
    }
    const decision = chooseAuthentication(this.#ctx.policy, request, context)
    return decision
  }

  #hash: Uint8Array | null | undefined

  /** Computes the `tls-server-end-point` hash (hashing is asynchronous on WebCrypto runtimes). */
  async #hashCertificate(): Promise<void> {
    const der = this.#ctx.tls?.peerCertificate
    if (!der) {
      this.#hash = null
      return
    }
    try {
      this.#hash = await tlsServerEndPointHash(der, this.#ctx.crypto)
    } catch {
      this.#hash = null
    }
  }

  /** The `tls-server-end-point` hash, or undefined without TLS or for e.g. Ed25519 certificates. */
  #certificateHash(): Uint8Array | undefined {
    return this.#hash ?? undefined
  }

  #requirePassword(): string {
    const password = this.#ctx.password
    if (password === undefined) {
      const hint =
        this.#ctx.passfileProblem === undefined
          ? 'set password, PGPASSWORD or a .pgpass entry'
          : `the ${this.#ctx.passfileProblem}`
      throw new AuthenticationError(
        `server at ${this.#ctx.host} requested a password for user "${this.#ctx.user}", but none was supplied (${hint})`,
        { host: this.#ctx.host, phase: 'authenticate', safeToRetry: true },
      )
    }
    return password
  }

  #expectScram(type: string): ScramSession {
    if (!this.#scram) {
      throw new ProtocolError(`server sent ${type} without a SASL exchange in progress`, {
        messageType: type,
        phase: 'authenticate',
      })
    }
    return this.#scram
  }

  /** Fails startup; a server error already received wins over the connection loss it causes. */
  fail(error: TuskError): void {
    if (this.#settled) return
    this.#settled = true
    const reported = this.#error ?? error
    reported.host ??= this.#ctx.host
    this.#reject(reported)
  }
}
