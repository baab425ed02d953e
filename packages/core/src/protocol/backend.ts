/**
 * The server→client (backend) messages of protocol v3 as a discriminated union on `type`.
 * Pure types: imports only error field types (no sockets, timers, promises or Node built-ins).
 */
import type { ServerErrorFields } from '../errors/base.js'
import type { FormatCode } from './codes.js'

/** AuthenticationOk: authentication succeeded. */
export interface AuthenticationOk {
  readonly type: 'AuthenticationOk'
}
/** AuthenticationKerberosV5: the server wants Kerberos V5 (unsupported since PostgreSQL 9.4). */
export interface AuthenticationKerberosV5 {
  readonly type: 'AuthenticationKerberosV5'
}
/** AuthenticationCleartextPassword: send the password in clear text. */
export interface AuthenticationCleartextPassword {
  readonly type: 'AuthenticationCleartextPassword'
}
/** AuthenticationMD5Password: send md5(md5(password + user) + salt). `salt` is an owned copy. */
export interface AuthenticationMD5Password {
  readonly type: 'AuthenticationMD5Password'
  readonly salt: Uint8Array
}
/** AuthenticationGSS: start GSSAPI negotiation. */
export interface AuthenticationGSS {
  readonly type: 'AuthenticationGSS'
}
/** AuthenticationGSSContinue: GSSAPI or SSPI data; `data` is an owned copy. */
export interface AuthenticationGSSContinue {
  readonly type: 'AuthenticationGSSContinue'
  readonly data: Uint8Array
}
/** AuthenticationSSPI: start SSPI negotiation. */
export interface AuthenticationSSPI {
  readonly type: 'AuthenticationSSPI'
}
/** AuthenticationSASL: the SASL mechanisms the server offers, in its order of preference. */
export interface AuthenticationSASL {
  readonly type: 'AuthenticationSASL'
  readonly mechanisms: readonly string[]
}
/** AuthenticationSASLContinue: a SASL challenge; `data` is an owned copy. */
export interface AuthenticationSASLContinue {
  readonly type: 'AuthenticationSASLContinue'
  readonly data: Uint8Array
}
/** AuthenticationSASLFinal: SASL outcome data ("additional data"); `data` is an owned copy. */
export interface AuthenticationSASLFinal {
  readonly type: 'AuthenticationSASLFinal'
  readonly data: Uint8Array
}

/** Every Authentication request variant (message type byte `R`). */
export type AuthenticationMessage =
  | AuthenticationOk
  | AuthenticationKerberosV5
  | AuthenticationCleartextPassword
  | AuthenticationMD5Password
  | AuthenticationGSS
  | AuthenticationGSSContinue
  | AuthenticationSSPI
  | AuthenticationSASL
  | AuthenticationSASLContinue
  | AuthenticationSASLFinal

/** BackendKeyData: what a CancelRequest must quote. `secretKey` (4–256 bytes) is an owned copy. */
export interface BackendKeyData {
  readonly type: 'BackendKeyData'
  readonly processId: number
  readonly secretKey: Uint8Array
}

/** ParameterStatus: a run-time parameter's current value (sent at startup and on change). */
export interface ParameterStatus {
  readonly type: 'ParameterStatus'
  readonly name: string
  readonly value: string
}

/** Transaction status in ReadyForQuery: idle, in a transaction block, in a failed block. */
export type TransactionStatus = 'I' | 'T' | 'E'

/** ReadyForQuery: the server is ready for a new query cycle. */
export interface ReadyForQuery {
  readonly type: 'ReadyForQuery'
  readonly status: TransactionStatus
}

/** One column of a RowDescription. OIDs are unsigned. */
export interface FieldDescription {
  readonly name: string
  /** OID of the source table, or 0. */
  readonly tableOid: number
  /** Attribute number of the source column, or 0. */
  readonly columnAttr: number
  readonly typeOid: number
  /** pg_type.typlen: negative for variable-width types. */
  readonly typeSize: number
  /** pg_attribute.atttypmod: type-specific, -1 when none. */
  readonly typeModifier: number
  readonly format: FormatCode
}

/** RowDescription: the columns of the rows that follow. */
export interface RowDescription {
  readonly type: 'RowDescription'
  readonly fields: readonly FieldDescription[]
}

/**
 * DataRow: one row; `null` is SQL NULL. The values are views into the decoder's buffer,
 * valid only until the next `push` on that decoder: copy what must outlive it.
 */
export interface DataRow {
  readonly type: 'DataRow'
  readonly values: readonly (Uint8Array | null)[]
}

/** CommandComplete: a command finished; `tag` is e.g. `INSERT 0 1` or `SELECT 5`. */
export interface CommandComplete {
  readonly type: 'CommandComplete'
  readonly tag: string
}

/** EmptyQueryResponse: the query string was empty. */
export interface EmptyQueryResponse {
  readonly type: 'EmptyQueryResponse'
}

/** ErrorResponse: the server's error fields (unknown field codes are skipped, as the docs ask). */
export interface ErrorResponse {
  readonly type: 'ErrorResponse'
  readonly fields: ServerErrorFields
}

/** NoticeResponse: a notice, with the same fields as an error. */
export interface NoticeResponse {
  readonly type: 'NoticeResponse'
  readonly fields: ServerErrorFields
}

/** NotificationResponse: a NOTIFY delivered to a channel this session listens on. */
export interface NotificationResponse {
  readonly type: 'NotificationResponse'
  readonly processId: number
  readonly channel: string
  readonly payload: string
}

/** ParseComplete: a Parse succeeded. */
export interface ParseComplete {
  readonly type: 'ParseComplete'
}
/** BindComplete: a Bind succeeded. */
export interface BindComplete {
  readonly type: 'BindComplete'
}
/** CloseComplete: a Close succeeded. */
export interface CloseComplete {
  readonly type: 'CloseComplete'
}
/** NoData: the described statement or portal returns no rows. */
export interface NoData {
  readonly type: 'NoData'
}
/** PortalSuspended: Execute hit its row limit; the portal can be executed again. */
export interface PortalSuspended {
  readonly type: 'PortalSuspended'
}

/** ParameterDescription: the parameter type OIDs of a described statement. */
export interface ParameterDescription {
  readonly type: 'ParameterDescription'
  readonly typeOids: readonly number[]
}

/** CopyInResponse: the server is ready to receive COPY data. */
export interface CopyInResponse {
  readonly type: 'CopyInResponse'
  /** Overall format: 0 text, 1 binary. */
  readonly format: FormatCode
  readonly columnFormats: readonly FormatCode[]
}
/** CopyOutResponse: COPY data follows. */
export interface CopyOutResponse {
  readonly type: 'CopyOutResponse'
  readonly format: FormatCode
  readonly columnFormats: readonly FormatCode[]
}
/** CopyBothResponse: streaming replication's two-way COPY. */
export interface CopyBothResponse {
  readonly type: 'CopyBothResponse'
  readonly format: FormatCode
  readonly columnFormats: readonly FormatCode[]
}

/**
 * CopyData from the server. `data` is a view into the decoder's buffer, valid only until the
 * next `push` on that decoder.
 */
export interface CopyData {
  readonly type: 'CopyData'
  readonly data: Uint8Array
}

/** CopyDone: the server finished sending COPY data. */
export interface CopyDone {
  readonly type: 'CopyDone'
}

/**
 * FunctionCallResponse: the legacy fast-path call's result, `null` for NULL. A view into the
 * decoder's buffer, valid only until the next `push`.
 */
export interface FunctionCallResponse {
  readonly type: 'FunctionCallResponse'
  readonly result: Uint8Array | null
}

/** NegotiateProtocolVersion: the server supports an older minor version or not all options. */
export interface NegotiateProtocolVersion {
  readonly type: 'NegotiateProtocolVersion'
  /** Newest minor protocol version the server supports for the requested major version. */
  readonly newestMinorVersion: number
  /** `_pq_.` startup options the server did not recognize. */
  readonly unrecognizedOptions: readonly string[]
}

/** Every message a PostgreSQL server sends after the startup packet, tagged by `type`. */
export type BackendMessage =
  | AuthenticationMessage
  | BackendKeyData
  | ParameterStatus
  | ReadyForQuery
  | RowDescription
  | DataRow
  | CommandComplete
  | EmptyQueryResponse
  | ErrorResponse
  | NoticeResponse
  | NotificationResponse
  | ParseComplete
  | BindComplete
  | CloseComplete
  | NoData
  | PortalSuspended
  | ParameterDescription
  | CopyInResponse
  | CopyOutResponse
  | CopyBothResponse
  | CopyData
  | CopyDone
  | FunctionCallResponse
  | NegotiateProtocolVersion

/** The `type` tag of a backend message. */
export type BackendMessageType = BackendMessage['type']

/** Type bytes of backend messages (protocol-message-formats), by PostgreSQL's message name. */
export const BackendCode = {
  Authentication: 0x52, // R
  BackendKeyData: 0x4b, // K
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  CommandComplete: 0x43, // C
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyInResponse: 0x47, // G
  CopyOutResponse: 0x48, // H
  CopyBothResponse: 0x57, // W
  DataRow: 0x44, // D
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  FunctionCallResponse: 0x56, // V
  NegotiateProtocolVersion: 0x76, // v
  NoData: 0x6e, // n
  NoticeResponse: 0x4e, // N
  NotificationResponse: 0x41, // A
  ParameterDescription: 0x74, // t
  ParameterStatus: 0x53, // S
  ParseComplete: 0x31, // 1
  PortalSuspended: 0x73, // s
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
} as const

/** Authentication request codes, the Int32 after the `R` message's length. */
export const AuthCode = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const
