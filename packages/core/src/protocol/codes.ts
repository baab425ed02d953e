/**
 * Magic numbers of the PostgreSQL v3 wire protocol: versions, request codes and size limits.
 * Pure constants: imports nothing (no sockets, timers, promises or Node built-ins).
 */

/** Protocol 3.0 as sent in StartupMessage: `(3 << 16) | 0` (PG_PROTOCOL(3,0), src/include/libpq/pqcomm.h). */
export const PROTOCOL_3_0 = 196608

/** Protocol 3.2 (PostgreSQL 18+): variable-length cancel keys; `(3 << 16) | 2`. */
export const PROTOCOL_3_2 = 196610

/** CancelRequest code, PG_PROTOCOL(1234, 5678) (CANCEL_REQUEST_CODE, src/include/libpq/pqcomm.h). */
export const CANCEL_REQUEST_CODE = 80877102

/** SSLRequest code, PG_PROTOCOL(1234, 5679) (NEGOTIATE_SSL_CODE, src/include/libpq/pqcomm.h). */
export const SSL_REQUEST_CODE = 80877103

/** GSSENCRequest code, PG_PROTOCOL(1234, 5680) (NEGOTIATE_GSS_CODE, src/include/libpq/pqcomm.h). */
export const GSSENC_REQUEST_CODE = 80877104

/**
 * MaxAllocSize, `0x3fffffff` (1 GiB − 1): the largest single allocation the server makes
 * (src/include/utils/memutils.h), hence the largest message body it can build.
 */
export const MAX_ALLOC_SIZE = 0x3fffffff

/**
 * Default upper bound on a message's declared length (which counts its own 4 bytes):
 * 1 GiB — MaxAllocSize for the body plus the length word. Anything longer cannot come from
 * a real server, so a decoder rejects it instead of buffering towards it.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = MAX_ALLOC_SIZE + 4

/**
 * Largest startup packet the server accepts: MAX_STARTUP_PACKET_LENGTH, 10000 bytes
 * (src/include/libpq/pqcomm.h); used by the server-side decoder for the untyped first packet.
 */
export const MAX_STARTUP_PACKET_LENGTH = 10000

/** Shortest cancel secret key, in bytes (protocol docs, BackendKeyData; 4 bytes in 3.0). */
export const MIN_CANCEL_KEY_LENGTH = 4

/** Longest cancel secret key the protocol allows (the server itself sends at most 32 bytes). */
export const MAX_CANCEL_KEY_LENGTH = 256

/** Column and parameter format code: text. */
export const FORMAT_TEXT = 0

/** Column and parameter format code: binary. */
export const FORMAT_BINARY = 1

/** A column or parameter format code, as carried in Bind, RowDescription and Copy*Response. */
export type FormatCode = 0 | 1

/** The one-byte answer accepting SSLRequest (`S`); TLS starts right after it. */
export const SSL_ACCEPTED = 0x53

/** The one-byte answer accepting GSSENCRequest (`G`); GSSAPI encryption starts right after it. */
export const GSSENC_ACCEPTED = 0x47

/** The one-byte answer refusing SSLRequest or GSSENCRequest (`N`). */
export const ENCRYPTION_REFUSED = 0x4e
