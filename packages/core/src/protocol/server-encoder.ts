/**
 * Server→client encoders for fake servers in tests: append backend messages to a Writer.
 * Pure bytes: imports only sibling codec files (no sockets, timers, promises or Node built-ins).
 */
import type { ServerErrorFields } from '../errors/base.js'
import { AuthCode, BackendCode, type BackendMessage, type FieldDescription } from './backend.js'
import { ERROR_FIELD_CODES } from './error-fields.js'
import type { Writer } from './writer.js'

/**
 * Appends one DataRow; string values are sent as UTF-8, null as SQL NULL. Values are copied.
 * No limit is enforced, so a fake server can send what a real one never would.
 */
export function encodeDataRow(w: Writer, values: readonly (Uint8Array | string | null)[]): void {
  w.startMessage(BackendCode.DataRow, 'DataRow').int16(values.length)
  for (const v of values) {
    if (v === null) {
      w.int32(-1)
    } else if (typeof v === 'string') {
      const at = w.reserveInt32()
      w.patchInt32(at, w.string(v))
    } else {
      w.int32(v.length).bytes(v)
    }
  }
  w.endMessage()
}

/** Appends a RowDescription for `fields`. */
export function encodeRowDescription(w: Writer, fields: readonly FieldDescription[]): void {
  w.startMessage(BackendCode.RowDescription, 'RowDescription').int16(fields.length)
  for (const f of fields) {
    w.cstring(f.name, 'a column name')
      .int32(f.tableOid)
      .int16(f.columnAttr)
      .int32(f.typeOid)
      .int16(f.typeSize)
      .int32(f.typeModifier)
      .int16(f.format)
  }
  w.endMessage()
}

/**
 * Appends an ErrorResponse (`notice` false) or NoticeResponse (`notice` true) carrying every
 * defined field, in the server's order, then the terminating zero byte.
 */
export function encodeErrorFields(w: Writer, fields: ServerErrorFields, notice = false): void {
  if (notice) w.startMessage(BackendCode.NoticeResponse, 'NoticeResponse')
  else w.startMessage(BackendCode.ErrorResponse, 'ErrorResponse')
  for (const [code, name] of ERROR_FIELD_CODES) {
    const value = fields[name]
    if (value !== undefined) w.int8(code.charCodeAt(0)).cstring(value, `field ${name}`)
  }
  w.int8(0).endMessage()
}

function authentication(w: Writer, name: string, code: number, payload?: Uint8Array): void {
  w.startMessage(BackendCode.Authentication, name).int32(code)
  if (payload !== undefined) w.bytes(payload)
  w.endMessage()
}

function empty(w: Writer, code: number, name: string): void {
  w.startMessage(code, name).endMessage()
}

/**
 * Appends any backend message given as a value, byte-for-byte as PostgreSQL lays it out.
 * Byte arrays are copied; no semantic limits are checked (fake servers may misbehave).
 */
export function encodeBackendMessage(w: Writer, m: BackendMessage): void {
  switch (m.type) {
    case 'AuthenticationOk':
      authentication(w, m.type, AuthCode.Ok)
      return
    case 'AuthenticationKerberosV5':
      authentication(w, m.type, AuthCode.KerberosV5)
      return
    case 'AuthenticationCleartextPassword':
      authentication(w, m.type, AuthCode.CleartextPassword)
      return
    case 'AuthenticationMD5Password':
      authentication(w, m.type, AuthCode.MD5Password, m.salt)
      return
    case 'AuthenticationGSS':
      authentication(w, m.type, AuthCode.GSS)
      return
    case 'AuthenticationGSSContinue':
      authentication(w, m.type, AuthCode.GSSContinue, m.data)
      return
    case 'AuthenticationSSPI':
      authentication(w, m.type, AuthCode.SSPI)
      return
    case 'AuthenticationSASL':
      w.startMessage(BackendCode.Authentication, m.type).int32(AuthCode.SASL)
      for (const mech of m.mechanisms) w.cstring(mech, 'a mechanism name')
      w.int8(0).endMessage()
      return
    case 'AuthenticationSASLContinue':
      authentication(w, m.type, AuthCode.SASLContinue, m.data)
      return
    case 'AuthenticationSASLFinal':
      authentication(w, m.type, AuthCode.SASLFinal, m.data)
      return
    case 'BackendKeyData':
      w.startMessage(BackendCode.BackendKeyData, m.type)
        .int32(m.processId)
        .bytes(m.secretKey)
        .endMessage()
      return
    case 'ParameterStatus':
      w.startMessage(BackendCode.ParameterStatus, m.type)
        .cstring(m.name, 'the name')
        .cstring(m.value, 'the value')
        .endMessage()
      return
    case 'ReadyForQuery':
      w.startMessage(BackendCode.ReadyForQuery, m.type).int8(m.status.charCodeAt(0)).endMessage()
      return
    case 'RowDescription':
      encodeRowDescription(w, m.fields)
      return
    case 'DataRow':
      encodeDataRow(w, m.values)
      return
    case 'CommandComplete':
      w.startMessage(BackendCode.CommandComplete, m.type).cstring(m.tag, 'the tag').endMessage()
      return
    case 'EmptyQueryResponse':
      empty(w, BackendCode.EmptyQueryResponse, m.type)
      return
    case 'ErrorResponse':
      encodeErrorFields(w, m.fields, false)
      return
    case 'NoticeResponse':
      encodeErrorFields(w, m.fields, true)
      return
    case 'NotificationResponse':
      w.startMessage(BackendCode.NotificationResponse, m.type)
        .int32(m.processId)
        .cstring(m.channel, 'the channel')
        .cstring(m.payload, 'the payload')
        .endMessage()
      return
    case 'ParseComplete':
      empty(w, BackendCode.ParseComplete, m.type)
      return
    case 'BindComplete':
      empty(w, BackendCode.BindComplete, m.type)
      return
    case 'CloseComplete':
      empty(w, BackendCode.CloseComplete, m.type)
      return
    case 'NoData':
      empty(w, BackendCode.NoData, m.type)
      return
    case 'PortalSuspended':
      empty(w, BackendCode.PortalSuspended, m.type)
      return
    case 'ParameterDescription':
      w.startMessage(BackendCode.ParameterDescription, m.type).int16(m.typeOids.length)
      for (const oid of m.typeOids) w.int32(oid)
      w.endMessage()
      return
    case 'CopyInResponse':
    case 'CopyOutResponse':
    case 'CopyBothResponse': {
      const code =
        m.type === 'CopyInResponse'
          ? BackendCode.CopyInResponse
          : m.type === 'CopyOutResponse'
            ? BackendCode.CopyOutResponse
            : BackendCode.CopyBothResponse
      w.startMessage(code, m.type).int8(m.format).int16(m.columnFormats.length)
      for (const f of m.columnFormats) w.int16(f)
      w.endMessage()
      return
    }
    case 'CopyData':
      w.startMessage(BackendCode.CopyData, m.type).bytes(m.data).endMessage()
      return
    case 'CopyDone':
      empty(w, BackendCode.CopyDone, m.type)
      return
    case 'FunctionCallResponse':
      w.startMessage(BackendCode.FunctionCallResponse, m.type)
      if (m.result === null) w.int32(-1)
      else w.int32(m.result.length).bytes(m.result)
      w.endMessage()
      return
    case 'NegotiateProtocolVersion':
      w.startMessage(BackendCode.NegotiateProtocolVersion, m.type)
        .int32(m.newestMinorVersion)
        .int32(m.unrecognizedOptions.length)
      for (const o of m.unrecognizedOptions) w.cstring(o, 'an option name')
      w.endMessage()
      return
  }
}
