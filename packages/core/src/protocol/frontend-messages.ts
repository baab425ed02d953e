/**
 * The client→server (frontend) messages of protocol v3 as a discriminated union on `type`.
 * Pure types and constants: imports nothing (no sockets, timers, promises or Node built-ins).
 */

/** StartupMessage: protocol version (e.g. PROTOCOL_3_0) and startup parameters, in order. */
export interface StartupMessage {
  readonly type: 'StartupMessage'
  readonly protocolVersion: number
  readonly parameters: Readonly<Record<string, string>>
}
/** SSLRequest: asks to switch to TLS before the startup packet. */
export interface SSLRequest {
  readonly type: 'SSLRequest'
}
/** GSSENCRequest: asks to switch to GSSAPI encryption before the startup packet. */
export interface GSSENCRequest {
  readonly type: 'GSSENCRequest'
}
/** CancelRequest: sent on a new connection; the key is 4 bytes in 3.0, 4–256 bytes in 3.2. */
export interface CancelRequest {
  readonly type: 'CancelRequest'
  readonly processId: number
  readonly secretKey: Uint8Array
}
/** PasswordMessage: a cleartext or md5-hashed password. */
export interface PasswordMessage {
  readonly type: 'PasswordMessage'
  readonly password: string
}
/** SASLInitialResponse: the chosen mechanism and its first message (`null`: none). */
export interface SASLInitialResponse {
  readonly type: 'SASLInitialResponse'
  readonly mechanism: string
  readonly data: Uint8Array | null
}
/** SASLResponse: a further SASL message. */
export interface SASLResponse {
  readonly type: 'SASLResponse'
  readonly data: Uint8Array
}
/** GSSResponse: a GSSAPI or SSPI token. */
export interface GSSResponse {
  readonly type: 'GSSResponse'
  readonly data: Uint8Array
}
/** Query: a simple-protocol query string (may hold several statements). */
export interface Query {
  readonly type: 'Query'
  readonly query: string
}
/** Parse: prepares `query` as statement `name` ('' is the unnamed statement). 0 OID = unspecified. */
export interface Parse {
  readonly type: 'Parse'
  readonly name: string
  readonly query: string
  readonly paramTypes: readonly number[]
}
/**
 * Bind: creates `portal` from `statement`. Format lists follow the protocol: empty = all text,
 * one entry = applies to all, else one per parameter/column.
 */
export interface Bind {
  readonly type: 'Bind'
  readonly portal: string
  readonly statement: string
  readonly paramFormats: readonly number[]
  readonly params: readonly (Uint8Array | null)[]
  readonly resultFormats: readonly number[]
}
/** Describe: asks for a statement's (`S`) or portal's (`P`) description. */
export interface Describe {
  readonly type: 'Describe'
  readonly target: 'S' | 'P'
  readonly name: string
}
/** Execute: runs `portal`, returning at most `maxRows` rows (0 = no limit). */
export interface Execute {
  readonly type: 'Execute'
  readonly portal: string
  readonly maxRows: number
}
/** Sync: ends an extended-query cycle; the server answers ReadyForQuery. */
export interface Sync {
  readonly type: 'Sync'
}
/** Flush: asks the server to send what it has buffered. */
export interface Flush {
  readonly type: 'Flush'
}
/** Close: closes a statement (`S`) or portal (`P`). */
export interface Close {
  readonly type: 'Close'
  readonly target: 'S' | 'P'
  readonly name: string
}
/** CopyData from the client. */
export interface FrontendCopyData {
  readonly type: 'CopyData'
  readonly data: Uint8Array
}
/** CopyDone from the client: COPY FROM STDIN input is complete. */
export interface FrontendCopyDone {
  readonly type: 'CopyDone'
}
/** CopyFail: aborts COPY FROM STDIN with `message` as the cause. */
export interface CopyFail {
  readonly type: 'CopyFail'
  readonly message: string
}
/** FunctionCall: the legacy fast-path interface. */
export interface FunctionCall {
  readonly type: 'FunctionCall'
  readonly functionOid: number
  readonly argFormats: readonly number[]
  readonly args: readonly (Uint8Array | null)[]
  readonly resultFormat: number
}
/** Terminate: the client is closing the connection. */
export interface Terminate {
  readonly type: 'Terminate'
}

/** The untyped first packets of a connection. */
export type StartupPacket = StartupMessage | SSLRequest | GSSENCRequest | CancelRequest

/** Every message a client sends, tagged by `type`. */
export type FrontendMessage =
  | StartupPacket
  | PasswordMessage
  | SASLInitialResponse
  | SASLResponse
  | GSSResponse
  | Query
  | Parse
  | Bind
  | Describe
  | Execute
  | Sync
  | Flush
  | Close
  | FrontendCopyData
  | FrontendCopyDone
  | CopyFail
  | FunctionCall
  | Terminate

/** The `type` tag of a frontend message. */
export type FrontendMessageType = FrontendMessage['type']

/** Type bytes of typed frontend messages (protocol-message-formats), by message name. */
export const FrontendCode = {
  Bind: 0x42, // B
  Close: 0x43, // C
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyFail: 0x66, // f
  Describe: 0x44, // D
  Execute: 0x45, // E
  Flush: 0x48, // H
  FunctionCall: 0x46, // F
  /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse all use `p`. */
  AuthenticationResponse: 0x70, // p
  Parse: 0x50, // P
  Query: 0x51, // Q
  Sync: 0x53, // S
  Terminate: 0x58, // X
} as const
