/**
 * A sans-IO SCRAM-SHA-256 / SCRAM-SHA-256-PLUS client (RFC 5802, RFC 7677) as PostgreSQL speaks it.
 * Pure: no sockets or timers; crypto comes from the injected `CryptoRuntime`, never `node:crypto`.
 */
import { InterfaceError } from '../errors/base.js'
import { AuthenticationError } from '../errors/client.js'
import type { CryptoRuntime } from '../runtime/crypto.js'
import { decodeBase64, encodeBase64 } from './base64.js'
import { TLS_SERVER_END_POINT } from './channel-binding.js'
import { saslprep } from './saslprep.js'

/** The SASL mechanism names PostgreSQL offers in AuthenticationSASL. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-256-PLUS'

/** `SCRAM-SHA-256`, without channel binding. */
export const SCRAM_SHA_256: ScramMechanism = 'SCRAM-SHA-256'
/** `SCRAM-SHA-256-PLUS`, with `tls-server-end-point` channel binding. */
export const SCRAM_SHA_256_PLUS: ScramMechanism = 'SCRAM-SHA-256-PLUS'

/**
 * The default ceiling on the server's iteration count: 2^24 (16,777,216). PostgreSQL's default
 * `scram_iterations` is 4096; at 2^24 PBKDF2 already takes seconds of CPU. The count comes from
 * the server before it has proved anything, so without a ceiling a hostile server (or a
 * man in the middle) could make the client hash for hours.
 */
export const DEFAULT_MAX_SCRAM_ITERATIONS = 16_777_216

/** Options of {@link createScramSession}. */
export interface ScramSessionOptions {
  /** The password; prepared with SASLprep, or used as raw UTF-8 when SASLprep refuses it. */
  password: string
  /** The mechanism chosen from the server's list (see `chooseAuthentication` in `policy.ts`). */
  mechanism: ScramMechanism
  crypto: CryptoRuntime
  /**
   * The `tls-server-end-point` hash of the server certificate (see `tlsServerEndPointHash`).
   * Required with SCRAM-SHA-256-PLUS, refused otherwise. Copied at creation.
   */
  channelBinding?: Uint8Array
  /**
   * With SCRAM-SHA-256 only: whether this client could have bound the channel (TLS is up, the
   * certificate hash is known, and `channel_binding` is not `disable`). Selects the gs2 flag `y`
   * over `n` (RFC 5802 §6), which lets a server that did offer -PLUS detect a downgrade by a man
   * in the middle who removed it from the list. Default `false`.
   */
  clientSupportsChannelBinding?: boolean
  /**
   * The client nonce, for tests only: printable ASCII without `,`. By default 18 random bytes in
   * base64 (24 characters).
   */
  nonce?: string
  /**
   * The SCRAM username, for tests only. PostgreSQL ignores it and takes the user from the startup
   * message, so the client sends it empty (`n=,`). Escaped per RFC 5802 §5.1 (`=2C`, `=3D`).
   */
  username?: string
  /** Refuse server iteration counts above this. Default {@link DEFAULT_MAX_SCRAM_ITERATIONS}. */
  maxIterations?: number
}

/** Where a {@link ScramSession} stands. */
export type ScramState = 'awaiting-server-first' | 'awaiting-server-final' | 'complete' | 'failed'

/**
 * One SCRAM exchange, driven by the connection:
 *
 * 1. send `clientFirstMessage` in SASLInitialResponse, with `mechanism`;
 * 2. on AuthenticationSASLContinue, send `await handleServerFirst(data)` in SASLResponse;
 * 3. on AuthenticationSASLFinal, call `verifyServerFinal(data)`;
 * 4. on AuthenticationOk, check `state === 'complete'` (the policy does this) — a server that
 *    skips step 3 has never proved it knows the password.
 *
 * Messages are text; encode the client's as UTF-8 (they are ASCII unless a test sets a
 * non-ASCII `username`). Server messages may be given as the raw bytes; they are decoded as
 * strict UTF-8 and not retained. Every failure throws `AuthenticationError` (phase
 * `authenticate`) and moves the session to `failed`; the messages never contain the password.
 */
export interface ScramSession {
  readonly mechanism: ScramMechanism
  /** `gs2-header client-first-message-bare`, e.g. `n,,n=,r=<nonce>`. */
  readonly clientFirstMessage: string
  readonly state: ScramState
  /** True once the exchange completed with SCRAM-SHA-256-PLUS (the channel is bound). */
  readonly channelBound: boolean
  /**
   * Validate the server-first-message and compute the client-final-message. Refuses: a reserved
   * mandatory extension (`m=`), a nonce that does not extend the client's or has characters
   * outside `printable`, a salt that is not non-empty canonical base64, an iteration count that is
   * not a positive decimal integer or exceeds `maxIterations`, and malformed attributes.
   */
  handleServerFirst(serverFirst: string | Uint8Array): Promise<string>
  /**
   * Check the server-final-message: `v=` must equal the ServerSignature (compared in constant
   * time). `e=<value>` (a server-side failure) throws with the value in the message.
   */
  verifyServerFinal(serverFinal: string | Uint8Array): void
}

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** RFC 5802 §7 `printable`: %x21-2B / %x2D-7E, i.e. visible ASCII except `,`. */
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/
/** RFC 5802 §7 `posit-number`. */
const POSITIVE_NUMBER = /^[1-9][0-9]*$/
/** RFC 5802 §7 `attr-val` for optional extensions: a letter, `=`, and a value without `,`. */
const EXTENSION = /^[A-Za-z]=[^,]*$/

/** The bytes SCRAM hashes as the password: SASLprep'd when possible, raw UTF-8 otherwise. */
export function scramPasswordBytes(password: string): Uint8Array {
  const prepared = saslprep(password)
  // RFC 5802 §5.1 says to fail; PostgreSQL (server and libpq) uses the raw password instead.
  return utf8.encode(prepared.ok ? prepared.value : password)
}

function fail(message: string, cause?: unknown): AuthenticationError {
  return new AuthenticationError(message, {
    phase: 'authenticate',
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Text of a server message; refuses invalid UTF-8. */
function text(message: string | Uint8Array, what: string): string {
  if (typeof message === 'string') return message
  try {
    return strictUtf8.decode(message)
  } catch (error) {
    throw fail(`malformed SCRAM ${what}: not valid UTF-8`, error)
  }
}

/** A server-supplied value made safe to quote in an error message. */
function quote(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?')
  return JSON.stringify(clean.length > 100 ? clean.slice(0, 100) + '...' : clean)
}

/** RFC 5802 §5.1 `saslname`: `,` and `=` escaped. */
function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Equality of two byte arrays in time that depends only on their lengths. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/**
 * Start a SCRAM exchange: prepares the password, draws the nonce and builds the
 * client-first-message. Throws `InterfaceError` on contradictory options (-PLUS without
 * `channelBinding`, `channelBinding` without -PLUS, a bad test nonce or `maxIterations`).
 * The gs2 header is `p=tls-server-end-point,,` with -PLUS, otherwise `y,,` or `n,,` as
 * `clientSupportsChannelBinding` says; no authzid is ever sent.
 */
export function createScramSession(options: ScramSessionOptions): ScramSession {
  const { mechanism, crypto } = options
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_SCRAM_ITERATIONS
  const misuse = (message: string) => new InterfaceError(message, { phase: 'authenticate' })
  if (mechanism !== SCRAM_SHA_256 && mechanism !== SCRAM_SHA_256_PLUS) {
    throw misuse(`unsupported SCRAM mechanism ${quote(String(mechanism))}`)
  }
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) {
    throw misuse('maxIterations must be a positive integer')
  }
  let cbindData: Uint8Array | undefined
  let gs2Header: string
  if (mechanism === SCRAM_SHA_256_PLUS) {
    if (options.channelBinding === undefined || options.channelBinding.length === 0) {
      throw misuse('SCRAM-SHA-256-PLUS needs the channel binding data (the certificate hash)')
    }
    cbindData = options.channelBinding.slice()
    gs2Header = `p=${TLS_SERVER_END_POINT},,`
  } else {
    if (options.channelBinding !== undefined) {
      throw misuse('channel binding data was given, but the mechanism is SCRAM-SHA-256')
    }
    gs2Header = options.clientSupportsChannelBinding ? 'y,,' : 'n,,'
  }
  const clientNonce = options.nonce ?? encodeBase64(crypto.randomBytes(18))
  if (!PRINTABLE.test(clientNonce)) {
    throw misuse('the SCRAM nonce must be printable ASCII without ","')
  }

  let password: Uint8Array | undefined = scramPasswordBytes(options.password)
  const clientFirstBare = `n=${escapeSaslName(options.username ?? '')},r=${clientNonce}`
  const clientFirstMessage = gs2Header + clientFirstBare
  let state: ScramState = 'awaiting-server-first'
  let serverSignature: Uint8Array | undefined

  const wipe = () => {
    password?.fill(0)
    password = undefined
  }

  function parseServerFirst(message: string): {
    nonce: string
    salt: Uint8Array
    iterations: number
  } {
    const attributes = message.split(',')
    if (attributes[0]?.startsWith('m=')) {
      throw fail(
        'SCRAM server-first-message has a mandatory extension (m=) this client does not support',
      )
    }
    const [r, s, i, ...extensions] = attributes
    if (r === undefined || !r.startsWith('r=')) {
      throw fail('malformed SCRAM server-first-message: expected the nonce (r=) first')
    }
    if (s === undefined || !s.startsWith('s=')) {
      throw fail('malformed SCRAM server-first-message: expected the salt (s=) after the nonce')
    }
    if (i === undefined || !i.startsWith('i=')) {
      throw fail(
        'malformed SCRAM server-first-message: expected the iteration count (i=) after the salt',
      )
    }
    for (const extension of extensions) {
      if (!EXTENSION.test(extension)) {
        throw fail(`malformed SCRAM server-first-message: bad attribute ${quote(extension)}`)
      }
    }
    const nonce = r.slice(2)
    if (!PRINTABLE.test(nonce) || !nonce.startsWith(clientNonce)) {
      throw fail(
        'SCRAM server-first-message nonce does not start with the client nonce (nonce mismatch)',
      )
    }
    const salt = decodeBase64(s.slice(2))
    if (salt === undefined || salt.length === 0) {
      throw fail('malformed SCRAM server-first-message: the salt is not valid base64')
    }
    const count = i.slice(2)
    if (!POSITIVE_NUMBER.test(count)) {
      throw fail(`malformed SCRAM server-first-message: invalid iteration count ${quote(count)}`)
    }
    const iterations = count.length > 16 ? Number.POSITIVE_INFINITY : Number(count)
    if (iterations > maxIterations) {
      throw fail(
        `SCRAM server asked for ${count.length > 16 ? 'over 10^16' : count} iterations, ` +
          `more than the limit of ${maxIterations}; refusing`,
      )
    }
    return { nonce, salt, iterations }
  }

  async function handleServerFirst(serverFirst: string | Uint8Array): Promise<string> {
    if (state !== 'awaiting-server-first') {
      throw fail(`unexpected SCRAM server-first-message (session is ${state})`)
    }
    state = 'failed'
    try {
      const serverFirstMessage = text(serverFirst, 'server-first-message')
      const { nonce, salt, iterations } = parseServerFirst(serverFirstMessage)
      const channelBinding = encodeBase64(
        concat(utf8.encode(gs2Header), cbindData ?? new Uint8Array(0)),
      )
      const clientFinalWithoutProof = `c=${channelBinding},r=${nonce}`
      const authMessage = utf8.encode(
        `${clientFirstBare},${serverFirstMessage},${clientFinalWithoutProof}`,
      )
      const saltedPassword = await crypto.pbkdf2Sha256(password!, salt, iterations, 32)
      const clientKey = await crypto.hmacSha256(saltedPassword, utf8.encode('Client Key'))
      const storedKey = await crypto.sha256(clientKey)
      const clientSignature = await crypto.hmacSha256(storedKey, authMessage)
      const proof = new Uint8Array(clientKey.length)
      for (let k = 0; k < proof.length; k++) proof[k] = clientKey[k]! ^ clientSignature[k]!
      const serverKey = await crypto.hmacSha256(saltedPassword, utf8.encode('Server Key'))
      serverSignature = await crypto.hmacSha256(serverKey, authMessage)
      saltedPassword.fill(0)
      clientKey.fill(0)
      state = 'awaiting-server-final'
      return `${clientFinalWithoutProof},p=${encodeBase64(proof)}`
    } catch (error) {
      if (error instanceof AuthenticationError) throw error
      throw fail('SCRAM computation failed', error)
    } finally {
      wipe()
    }
  }

  function verifyServerFinal(serverFinal: string | Uint8Array): void {
    if (state !== 'awaiting-server-final') {
      throw fail(`unexpected SCRAM server-final-message (session is ${state})`)
    }
    state = 'failed'
    const message = text(serverFinal, 'server-final-message')
    const [first, ...extensions] = message.split(',')
    for (const extension of extensions) {
      if (!EXTENSION.test(extension)) {
        throw fail(`malformed SCRAM server-final-message: bad attribute ${quote(extension)}`)
      }
    }
    if (first?.startsWith('e=')) {
      throw fail(`SCRAM authentication failed on the server: ${quote(first.slice(2))}`)
    }
    if (first === undefined || !first.startsWith('v=')) {
      throw fail('malformed SCRAM server-final-message: expected a verifier (v=) or error (e=)')
    }
    const verifier = decodeBase64(first.slice(2))
    if (verifier === undefined) {
      throw fail('malformed SCRAM server-final-message: the verifier is not valid base64')
    }
    if (!constantTimeEqual(verifier, serverSignature!)) {
      throw fail(
        'SCRAM server signature does not match: the server does not know the password ' +
          '(or the connection was intercepted)',
      )
    }
    state = 'complete'
  }

  return {
    mechanism,
    clientFirstMessage,
    get state() {
      return state
    },
    get channelBound() {
      return state === 'complete' && mechanism === SCRAM_SHA_256_PLUS
    },
    handleServerFirst,
    verifyServerFinal,
  }
}
