/**
 * Client→server encoders: each appends one complete frontend message to a caller-owned Writer.
 * Pure bytes: imports only errors and sibling codec files (no sockets, timers, promises, Node).
 */
import { InterfaceError } from '../errors/base.js'
import {
  CANCEL_REQUEST_CODE,
  MAX_CANCEL_KEY_LENGTH,
  MIN_CANCEL_KEY_LENGTH,
  PROTOCOL_3_0,
} from './codes.js'
import { FrontendCode, type FrontendMessage } from './frontend-messages.js'
import type { Writer } from './writer.js'

/** Sync (`S`, length 4), built once. Shared: never mutate. */
export const SYNC_FRAME: Uint8Array = Uint8Array.of(0x53, 0, 0, 0, 4)

/** Flush (`H`, length 4), built once. Shared: never mutate. */
export const FLUSH_FRAME: Uint8Array = Uint8Array.of(0x48, 0, 0, 0, 4)

/** Terminate (`X`, length 4), built once. Shared: never mutate. */
export const TERMINATE_FRAME: Uint8Array = Uint8Array.of(0x58, 0, 0, 0, 4)

/** CopyDone (`c`, length 4), built once. Shared: never mutate. */
export const COPY_DONE_FRAME: Uint8Array = Uint8Array.of(0x63, 0, 0, 0, 4)

/** SSLRequest (length 8, code 80877103), built once. Shared: never mutate. */
export const SSL_REQUEST_FRAME: Uint8Array = Uint8Array.of(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f)

/** GSSENCRequest (length 8, code 80877104), built once. Shared: never mutate. */
export const GSSENC_REQUEST_FRAME: Uint8Array = Uint8Array.of(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30)

const MAX_UINT16 = 0xffff
const MAX_INT32 = 0x7fffffff

function misuse(message: string): never {
  throw new InterfaceError(message, { safeToRetry: true })
}

function checkCount(name: string, what: string, n: number): void {
  if (n > MAX_UINT16) misuse(`${name}: ${n} ${what} exceed the protocol's limit of 65535`)
}

/**
 * Appends a StartupMessage. `parameters` are sent in insertion order (`user` is required by the
 * server; `database`, `options`, `application_name`, `_pq_.*` are optional). `protocolVersion`
 * is `PROTOCOL_3_0` by default; pass `PROTOCOL_3_2` to ask for 3.2.
 */
export function encodeStartupMessage(
  w: Writer,
  parameters: Readonly<Record<string, string>>,
  protocolVersion: number = PROTOCOL_3_0,
): void {
  if (protocolVersion >>> 16 !== 3) {
    misuse(`StartupMessage: protocol version ${protocolVersion} is not 3.x`)
  }
  const names = Object.keys(parameters)
  if (names.includes('')) misuse('StartupMessage: a parameter name is empty')
  w.startUntypedMessage('StartupMessage').int32(protocolVersion)
  for (const name of names) {
    w.cstring(name, 'a parameter name').cstring(parameters[name] ?? '', `parameter ${name}`)
  }
  w.int8(0).endMessage()
}

/** Appends an SSLRequest (the server answers one byte, `S` or `N`, before any message). */
export function encodeSSLRequest(w: Writer): void {
  w.bytes(SSL_REQUEST_FRAME)
}

/** Appends a GSSENCRequest (the server answers one byte, `G` or `N`). */
export function encodeGSSENCRequest(w: Writer): void {
  w.bytes(GSSENC_REQUEST_FRAME)
}

/**
 * Appends a CancelRequest, sent alone on a fresh connection. `secretKey` is the BackendKeyData
 * key as received: 4 bytes under 3.0, 4–256 bytes under 3.2. Copied; the caller keeps it.
 */
export function encodeCancelRequest(w: Writer, processId: number, secretKey: Uint8Array): void {
  const n = secretKey.length
  if (n < MIN_CANCEL_KEY_LENGTH || n > MAX_CANCEL_KEY_LENGTH) {
    misuse(`CancelRequest: secret key of ${n} bytes is outside 4..256`)
  }
  w.startUntypedMessage('CancelRequest')
    .int32(CANCEL_REQUEST_CODE)
    .int32(processId)
    .bytes(secretKey)
    .endMessage()
}

/** Appends a PasswordMessage (cleartext, or the `md5…` hash). */
export function encodePasswordMessage(w: Writer, password: string): void {
  w.startMessage(FrontendCode.AuthenticationResponse, 'PasswordMessage')
    .cstring(password, 'the password')
    .endMessage()
}

/** Appends a SASLInitialResponse; `data` null sends length -1 (no initial response). */
export function encodeSASLInitialResponse(
  w: Writer,
  mechanism: string,
  data: Uint8Array | null,
): void {
  w.startMessage(FrontendCode.AuthenticationResponse, 'SASLInitialResponse').cstring(
    mechanism,
    'the mechanism name',
  )
  if (data === null) w.int32(-1)
  else w.int32(data.length).bytes(data)
  w.endMessage()
}

/** Appends a SASLResponse carrying `data` (copied). */
export function encodeSASLResponse(w: Writer, data: Uint8Array): void {
  w.startMessage(FrontendCode.AuthenticationResponse, 'SASLResponse').bytes(data).endMessage()
}

/** Appends a GSSResponse carrying `data` (copied). */
export function encodeGSSResponse(w: Writer, data: Uint8Array): void {
  w.startMessage(FrontendCode.AuthenticationResponse, 'GSSResponse').bytes(data).endMessage()
}

/** Appends a Query (simple protocol). Throws InterfaceError if `query` contains NUL. */
export function encodeQuery(w: Writer, query: string): void {
  w.startMessage(FrontendCode.Query, 'Query').cstring(query, 'the query text').endMessage()
}

/** Appends a Parse for statement `name` ('' = unnamed); 0 in `paramTypes` leaves a type open. */
export function encodeParse(
  w: Writer,
  name: string,
  query: string,
  paramTypes: readonly number[] = [],
): void {
  checkCount('Parse', 'parameter types', paramTypes.length)
  w.startMessage(FrontendCode.Parse, 'Parse')
    .cstring(name, 'the statement name')
    .cstring(query, 'the query text')
    .int16(paramTypes.length)
  for (const oid of paramTypes) w.int32(oid)
  w.endMessage()
}

/**
 * Appends a Bind. Parameters are bytes (sent as is), strings (sent as UTF-8, no NUL check:
 * values are counted, not terminated) or null (SQL NULL). Format lists: empty = all text, one =
 * for all, else one per parameter/column. The caller keeps ownership of every array.
 */
export function encodeBind(
  w: Writer,
  portal: string,
  statement: string,
  paramFormats: readonly number[],
  params: readonly (Uint8Array | string | null)[],
  resultFormats: readonly number[] = [],
): void {
  checkCount('Bind', 'parameter formats', paramFormats.length)
  checkCount('Bind', 'parameters', params.length)
  checkCount('Bind', 'result formats', resultFormats.length)
  w.startMessage(FrontendCode.Bind, 'Bind')
    .cstring(portal, 'the portal name')
    .cstring(statement, 'the statement name')
    .int16(paramFormats.length)
  for (const f of paramFormats) w.int16(f)
  w.int16(params.length)
  for (const p of params) {
    if (p === null) {
      w.int32(-1)
    } else if (typeof p === 'string') {
      const at = w.reserveInt32()
      w.patchInt32(at, w.string(p))
    } else {
      w.int32(p.length).bytes(p)
    }
  }
  w.int16(resultFormats.length)
  for (const f of resultFormats) w.int16(f)
  w.endMessage()
}

/** Appends a Describe of a statement (`S`) or portal (`P`). */
export function encodeDescribe(w: Writer, target: 'S' | 'P', name: string): void {
  w.startMessage(FrontendCode.Describe, 'Describe')
    .int8(target === 'S' ? 0x53 : 0x50)
    .cstring(name, 'the name')
    .endMessage()
}

/** Appends an Execute of `portal`, returning at most `maxRows` rows (0 = all). */
export function encodeExecute(w: Writer, portal: string, maxRows = 0): void {
  if (!Number.isInteger(maxRows) || maxRows < 0 || maxRows > MAX_INT32) {
    misuse(`Execute: maxRows ${maxRows} is not an integer in 0..2147483647`)
  }
  w.startMessage(FrontendCode.Execute, 'Execute')
    .cstring(portal, 'the portal name')
    .int32(maxRows)
    .endMessage()
}

/** Appends a Sync (the prebuilt SYNC_FRAME). */
export function encodeSync(w: Writer): void {
  w.bytes(SYNC_FRAME)
}

/** Appends a Flush (the prebuilt FLUSH_FRAME). */
export function encodeFlush(w: Writer): void {
  w.bytes(FLUSH_FRAME)
}

/** Appends a Close of a statement (`S`) or portal (`P`). */
export function encodeClose(w: Writer, target: 'S' | 'P', name: string): void {
  w.startMessage(FrontendCode.Close, 'Close')
    .int8(target === 'S' ? 0x53 : 0x50)
    .cstring(name, 'the name')
    .endMessage()
}

/** Appends a CopyData carrying `data` (copied; the caller keeps it). */
export function encodeCopyData(w: Writer, data: Uint8Array): void {
  w.startMessage(FrontendCode.CopyData, 'CopyData').bytes(data).endMessage()
}

/** Appends a CopyDone (the prebuilt COPY_DONE_FRAME). */
export function encodeCopyDone(w: Writer): void {
  w.bytes(COPY_DONE_FRAME)
}

/** Appends a CopyFail; `message` becomes the server's error text. */
export function encodeCopyFail(w: Writer, message: string): void {
  w.startMessage(FrontendCode.CopyFail, 'CopyFail').cstring(message, 'the message').endMessage()
}

/** Appends a FunctionCall (legacy fast-path interface); arrays as in Bind. */
export function encodeFunctionCall(
  w: Writer,
  functionOid: number,
  argFormats: readonly number[],
  args: readonly (Uint8Array | null)[],
  resultFormat: number,
): void {
  checkCount('FunctionCall', 'argument formats', argFormats.length)
  checkCount('FunctionCall', 'arguments', args.length)
  w.startMessage(FrontendCode.FunctionCall, 'FunctionCall')
    .int32(functionOid)
    .int16(argFormats.length)
  for (const f of argFormats) w.int16(f)
  w.int16(args.length)
  for (const a of args) {
    if (a === null) w.int32(-1)
    else w.int32(a.length).bytes(a)
  }
  w.int16(resultFormat).endMessage()
}

/** Appends a Terminate (the prebuilt TERMINATE_FRAME). */
export function encodeTerminate(w: Writer): void {
  w.bytes(TERMINATE_FRAME)
}

/** Appends any frontend message given as a value (tests and fake clients; the hot path calls the specific encoders). */
export function encodeFrontendMessage(w: Writer, m: FrontendMessage): void {
  switch (m.type) {
    case 'StartupMessage':
      encodeStartupMessage(w, m.parameters, m.protocolVersion)
      return
    case 'SSLRequest':
      encodeSSLRequest(w)
      return
    case 'GSSENCRequest':
      encodeGSSENCRequest(w)
      return
    case 'CancelRequest':
      encodeCancelRequest(w, m.processId, m.secretKey)
      return
    case 'PasswordMessage':
      encodePasswordMessage(w, m.password)
      return
    case 'SASLInitialResponse':
      encodeSASLInitialResponse(w, m.mechanism, m.data)
      return
    case 'SASLResponse':
      encodeSASLResponse(w, m.data)
      return
    case 'GSSResponse':
      encodeGSSResponse(w, m.data)
      return
    case 'Query':
      encodeQuery(w, m.query)
      return
    case 'Parse':
      encodeParse(w, m.name, m.query, m.paramTypes)
      return
    case 'Bind':
      encodeBind(w, m.portal, m.statement, m.paramFormats, m.params, m.resultFormats)
      return
    case 'Describe':
      encodeDescribe(w, m.target, m.name)
      return
    case 'Execute':
      encodeExecute(w, m.portal, m.maxRows)
      return
    case 'Sync':
      encodeSync(w)
      return
    case 'Flush':
      encodeFlush(w)
      return
    case 'Close':
      encodeClose(w, m.target, m.name)
      return
    case 'CopyData':
      encodeCopyData(w, m.data)
      return
    case 'CopyDone':
      encodeCopyDone(w)
      return
    case 'CopyFail':
      encodeCopyFail(w, m.message)
      return
    case 'FunctionCall':
      encodeFunctionCall(w, m.functionOid, m.argFormats, m.args, m.resultFormat)
      return
    case 'Terminate':
      encodeTerminate(w)
      return
  }
}
