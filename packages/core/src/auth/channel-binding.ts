/**
 * `tls-server-end-point` channel binding data (RFC 5929 §4): the hash of the server's certificate.
 * Pure: a minimal, bounds-checked DER reader; hashing comes from the injected `CryptoRuntime`.
 */
import { AuthenticationError } from '../errors/client.js'
import type { CryptoRuntime, HashName } from '../runtime/crypto.js'

/** The channel binding type SCRAM-SHA-256-PLUS uses with PostgreSQL (RFC 5929 §4). */
export const TLS_SERVER_END_POINT = 'tls-server-end-point'

/** Signature algorithm OIDs whose hash is a fixed function of the OID. */
const SIGNATURE_HASHES: ReadonlyMap<string, HashName> = new Map<string, HashName>([
  // RFC 5929 §4.1: MD5 and SHA-1 are replaced by SHA-256.
  ['1.2.840.113549.1.1.4', 'sha256'], // md5WithRSAEncryption
  ['1.2.840.113549.1.1.5', 'sha256'], // sha1WithRSAEncryption
  ['1.3.14.3.2.29', 'sha256'], // sha1WithRSA (OIW)
  ['1.2.840.10045.4.1', 'sha256'], // ecdsa-with-SHA1
  ['1.2.840.10040.4.3', 'sha256'], // dsa-with-sha1
  ['1.2.840.113549.1.1.11', 'sha256'], // sha256WithRSAEncryption
  ['1.2.840.113549.1.1.12', 'sha384'], // sha384WithRSAEncryption
  ['1.2.840.113549.1.1.13', 'sha512'], // sha512WithRSAEncryption
  ['1.2.840.10045.4.3.2', 'sha256'], // ecdsa-with-SHA256
  ['1.2.840.10045.4.3.3', 'sha384'], // ecdsa-with-SHA384
  ['1.2.840.10045.4.3.4', 'sha512'], // ecdsa-with-SHA512
  ['2.16.840.1.101.3.4.3.2', 'sha256'], // dsa-with-sha256
])

/** RSASSA-PSS (RFC 4055 §3.1): the hash is a parameter of the algorithm. */
const RSASSA_PSS = '1.2.840.113549.1.1.10'

/** Hash algorithm OIDs that can appear in RSASSA-PSS parameters, mapped per RFC 5929 §4.1. */
const DIGEST_HASHES: ReadonlyMap<string, HashName> = new Map<string, HashName>([
  ['1.2.840.113549.2.5', 'sha256'], // md5
  ['1.3.14.3.2.26', 'sha256'], // sha1
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
])

/** Names for algorithms that have no single hash, for the error message. */
const KNOWN_UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['1.3.101.112', 'Ed25519'],
  ['1.3.101.113', 'Ed448'],
])

/** One DER element: its tag byte and where its contents lie in the input. */
interface Element {
  tag: number
  start: number
  end: number
}

const TAG_SEQUENCE = 0x30
const TAG_OID = 0x06
const TAG_CONTEXT_0 = 0xa0

function malformed(what: string): AuthenticationError {
  return new AuthenticationError(
    `cannot compute channel binding: the server certificate is not valid DER (${what})`,
    { phase: 'authenticate' },
  )
}

/**
 * Read the DER element at `offset`, which must end by `limit`. Only low tag numbers and definite
 * lengths of up to 4 length bytes exist in DER certificates; anything else is refused.
 */
function readElement(der: Uint8Array, offset: number, limit: number, what: string): Element {
  if (offset + 2 > limit) throw malformed(`${what} is truncated`)
  const tag = der[offset]!
  if ((tag & 0x1f) === 0x1f) throw malformed(`${what} has a high tag number`)
  let length = der[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4) throw malformed(`${what} has an unsupported length form`)
    if (start + count > limit) throw malformed(`${what} length is truncated`)
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!
    start += count
  }
  if (length > limit - start) throw malformed(`${what} overruns its container`)
  return { tag, start, end: start + length }
}

function expect(element: Element, tag: number, what: string): Element {
  if (element.tag !== tag) throw malformed(`${what} has tag 0x${element.tag.toString(16)}`)
  return element
}

/** The dotted form of the OBJECT IDENTIFIER contents `der[start, end)` (X.690 §8.19). */
function decodeOid(der: Uint8Array, start: number, end: number): string {
  if (start >= end) throw malformed('empty object identifier')
  const arcs: number[] = []
  let value = 0
  for (let i = start; i < end; i++) {
    const byte = der[i]!
    if (value === 0 && byte === 0x80) throw malformed('object identifier is not minimal')
    value = value * 128 + (byte & 0x7f)
    if (value > Number.MAX_SAFE_INTEGER / 128) throw malformed('object identifier arc too large')
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2
        arcs.push(first, value - first * 40)
      } else {
        arcs.push(value)
      }
      value = 0
    } else if (i + 1 === end) {
      throw malformed('object identifier is truncated')
    }
  }
  return arcs.join('.')
}

/** Reads an AlgorithmIdentifier (RFC 5280 §4.1.1.2): its OID, and its parameters if any. */
function readAlgorithm(
  der: Uint8Array,
  algorithm: Element,
  what: string,
): { oid: string; parameters?: Element } {
  const oid = expect(readElement(der, algorithm.start, algorithm.end, what), TAG_OID, what)
  const result: { oid: string; parameters?: Element } = {
    oid: decodeOid(der, oid.start, oid.end),
  }
  if (oid.end < algorithm.end) {
    result.parameters = readElement(der, oid.end, algorithm.end, `${what} parameters`)
  }
  return result
}

/**
 * The hash of an RSASSA-PSS signature: `hashAlgorithm [0]` of RSASSA-PSS-params (RFC 4055 §3.1),
 * SHA-1 when absent (its DEFAULT), then mapped per RFC 5929 §4.1.
 */
function pssHash(der: Uint8Array, parameters: Element | undefined): HashName {
  let digest = '1.3.14.3.2.26' // sha1, the DEFAULT
  if (parameters !== undefined && parameters.tag !== 0x05 /* NULL */) {
    expect(parameters, TAG_SEQUENCE, 'RSASSA-PSS parameters')
    if (parameters.start < parameters.end) {
      const first = readElement(der, parameters.start, parameters.end, 'RSASSA-PSS parameters')
      if (first.tag === TAG_CONTEXT_0) {
        const algorithm = expect(
          readElement(der, first.start, first.end, 'RSASSA-PSS hashAlgorithm'),
          TAG_SEQUENCE,
          'RSASSA-PSS hashAlgorithm',
        )
        digest = readAlgorithm(der, algorithm, 'RSASSA-PSS hashAlgorithm').oid
      }
    }
  }
  const hash = DIGEST_HASHES.get(digest)
  if (hash === undefined) throw unsupported(`RSASSA-PSS with hash ${digest}`)
  return hash
}

function unsupported(algorithm: string): AuthenticationError {
  return new AuthenticationError(
    `channel binding is not defined for server certificates signed with ${algorithm} ` +
      '(tls-server-end-point needs a single hash function; RFC 5929 §4.1)',
    { phase: 'authenticate' },
  )
}

/**
 * The hash function `tls-server-end-point` uses for a DER certificate (RFC 5929 §4.1): the hash
 * of the certificate's `signatureAlgorithm`, except that MD5 and SHA-1 become SHA-256. Throws
 * `AuthenticationError` when the DER is malformed, and when the algorithm has no single hash
 * (Ed25519, Ed448) or is one this client does not know, as libpq refuses them.
 * `derCertificate` is only read during the call.
 */
export function tlsServerEndPointHashName(derCertificate: Uint8Array): HashName {
  const der = derCertificate
  const certificate = expect(
    readElement(der, 0, der.length, 'Certificate'),
    TAG_SEQUENCE,
    'Certificate',
  )
  if (certificate.end !== der.length) throw malformed('bytes after the Certificate')
  const tbs = expect(
    readElement(der, certificate.start, certificate.end, 'tbsCertificate'),
    TAG_SEQUENCE,
    'tbsCertificate',
  )
  const signatureAlgorithm = expect(
    readElement(der, tbs.end, certificate.end, 'signatureAlgorithm'),
    TAG_SEQUENCE,
    'signatureAlgorithm',
  )
  const { oid, parameters } = readAlgorithm(der, signatureAlgorithm, 'signatureAlgorithm')
  if (oid === RSASSA_PSS) return pssHash(der, parameters)
  const hash = SIGNATURE_HASHES.get(oid)
  if (hash !== undefined) return hash
  throw unsupported(KNOWN_UNSUPPORTED.get(oid) ?? `the algorithm ${oid}`)
}

/**
 * The `tls-server-end-point` channel binding data for the server's DER-encoded certificate
 * (RFC 5929 §4.1): its hash under {@link tlsServerEndPointHashName}. This is the `cbind-data`
 * SCRAM-SHA-256-PLUS sends. Rejects with `AuthenticationError` as that function throws. Returns a new
 * array owned by the caller; `derCertificate` is only read during the call.
 */
export async function tlsServerEndPointHash(
  derCertificate: Uint8Array,
  crypto: CryptoRuntime,
): Promise<Uint8Array> {
  return crypto.hash(tlsServerEndPointHashName(derCertificate), derCertificate)
}
