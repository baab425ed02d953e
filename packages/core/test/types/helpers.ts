/**
 * Small helpers shared by the type codec tests: bytes from hex and text, decode shortcuts.
 * Test-only; no server.
 */
import { defaultTypes, type TypeRegistry } from '../../src/types/index.js'

/** Bytes of a hex string (`\x` prefix and spaces allowed), as `*_send` functions print them. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/^\\x/, '').replace(/\s+/g, '')
  const out = new Uint8Array(digits.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** Decodes the text form `text` of a value of `oid`. */
export function fromText(
  oid: number,
  text: string,
  registry: TypeRegistry = defaultTypes,
): unknown {
  return registry.decoder(oid, 0)(utf8(text))
}

/** Decodes the binary form (hex) of a value of `oid`. */
export function fromBinary(
  oid: number,
  bytesHex: string,
  registry: TypeRegistry = defaultTypes,
): unknown {
  return registry.decoder(oid, 1)(hex(bytesHex))
}
