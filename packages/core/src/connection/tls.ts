/**
 * libpq's `sslmode` family resolved into transport TLS options, and TLS failures turned into
 * TlsErrors that say what was expected and what the server presented.
 */
import { TlsError } from '../errors/client.js'
import type { TlsOptions } from '../runtime/transport.js'

/** The TLS-related settings of a resolved connection config (libpq names, camelCase). */
export interface TlsSettings {
  sslmode: 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'
  sslnegotiation: 'postgres' | 'direct'
  sslrootcert?: string | undefined
  sslcert?: string | undefined
  sslkey?: string | undefined
  sslpassword?: string | undefined
  sslcrl?: string | undefined
  sslsni: boolean
  /** `disable`: never present a client certificate. */
  sslcertmode?: 'disable' | 'allow' | 'require' | undefined
  sslMinProtocolVersion?: string | undefined
  sslMaxProtocolVersion?: string | undefined
}

/** Reads a file for TLS material; undefined when it does not exist. */
export type { ReadBytes } from '../runtime/runtime.js'

import type { ReadBytes } from '../runtime/runtime.js'

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** True for an IPv4 or IPv6 literal (SNI must not carry one, RFC 6066 §3). */
export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || host.includes(':')
}

/**
 * Builds the TLS options for one host. `checkHost` is the name the certificate must carry
 * (libpq checks `host`, never `hostaddr`). Throws TlsError when verify-* has no root certificate.
 */
export function tlsOptionsFor(
  s: TlsSettings,
  checkHost: string,
  homeDir: string | undefined,
  read: ReadBytes,
  platformTrust = false,
): TlsOptions {
  const pgDir = homeDir ? `${homeDir}/.postgresql` : undefined
  const rootPath = s.sslrootcert ?? (pgDir ? `${pgDir}/root.crt` : undefined)
  // A runtime that only verifies against its own roots behaves as sslrootcert=system by default.
  const system = s.sslrootcert === 'system' || (platformTrust && s.sslrootcert === undefined)
  const ca = system || rootPath === undefined ? undefined : read(rootPath)
  let verifyChain = s.sslmode === 'verify-ca' || s.sslmode === 'verify-full'
  // libpq: with sslmode=require, an existing root certificate file makes it act as verify-ca.
  if (s.sslmode === 'require' && ca !== undefined) verifyChain = true
  if (verifyChain && !system && ca === undefined) {
    throw new TlsError(
      `root certificate file "${rootPath ?? '~/.postgresql/root.crt'}" does not exist; either provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification`,
      { phase: 'tls', safeToRetry: true, host: checkHost },
    )
  }
  const certPath = s.sslcert ?? (pgDir ? `${pgDir}/postgresql.crt` : undefined)
  const keyPath = s.sslkey ?? (pgDir ? `${pgDir}/postgresql.key` : undefined)
  const cert = certPath && s.sslcertmode !== 'disable' ? read(certPath) : undefined
  const key = cert && keyPath ? read(keyPath) : undefined
  if (s.sslcert !== undefined && cert === undefined && s.sslcertmode !== 'disable') {
    throw new TlsError(`certificate file "${s.sslcert}" does not exist`, {
      phase: 'tls',
      safeToRetry: true,
    })
  }
  if (cert !== undefined && key === undefined) {
    throw new TlsError(`certificate present, but not private key file "${keyPath ?? ''}"`, {
      phase: 'tls',
      safeToRetry: true,
    })
  }
  const crl = s.sslcrl ? read(s.sslcrl) : undefined
  const options: TlsOptions = {
    verifyChain,
    verifyHost: s.sslmode === 'verify-full',
    checkHost,
    ...(s.sslsni && !isIpLiteral(checkHost) ? { servername: checkHost } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    ...(s.sslpassword !== undefined ? { passphrase: s.sslpassword } : {}),
    ...(s.sslnegotiation === 'direct' ? { alpn: ['postgresql'] } : {}),
    ...(s.sslMinProtocolVersion ? { minVersion: s.sslMinProtocolVersion } : {}),
    ...(s.sslMaxProtocolVersion ? { maxVersion: s.sslMaxProtocolVersion } : {}),
    ...(crl !== undefined ? { crl } : {}),
  }
  return options
}

/** Turns a TLS handshake failure into a TlsError naming the expectation and what was presented. */
export function tlsFailure(
  err: unknown,
  s: TlsSettings,
  peer: string,
  checkHost: string,
): TlsError {
  const e = err as Error & {
    code?: string
    reason?: string
    cert?: { subjectaltname?: string; subject?: { CN?: string } }
  }
  const mode = `sslmode=${s.sslmode}`
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names =
      e.cert?.subjectaltname ?? (e.cert?.subject?.CN ? `CN=${e.cert.subject.CN}` : 'no names')
    return new TlsError(
      `server certificate at ${peer} does not match host name "${checkHost}": the certificate is for ${names} (${mode})`,
      { phase: 'tls', host: peer, errno: e.code, cause: err, safeToRetry: true },
    )
  }
  const code = e.code ? ` (${e.code})` : ''
  const what = /certificate|CERT|SIGNATURE|ISSUER/i.test(`${e.code ?? ''} ${e.message}`)
    ? `server certificate at ${peer} could not be verified${s.sslrootcert === 'system' ? " against the system's trusted roots" : ' against the root certificate'}`
    : `TLS handshake with ${peer} failed`
  return new TlsError(`${what}: ${e.message}${code} (${mode})`, {
    phase: 'tls',
    host: peer,
    ...(e.code ? { errno: e.code } : {}),
    cause: err,
    safeToRetry: true,
  })
}
