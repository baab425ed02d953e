/**
 * Which JavaScript runtime this is, from the globals each one defines, for the messages of the
 * `default` entry (which runs where no runtime-specific entry was resolved). No `node:` import:
 * the `default` bundle must load anywhere.
 */

/** A runtime's name as messages print it, or `unknown runtime`. */
export function detectRuntime(): string {
  const host = globalThis as {
    Bun?: unknown
    Deno?: unknown
    EdgeRuntime?: unknown
    navigator?: { userAgent?: unknown }
    process?: { versions?: { node?: unknown } }
    window?: unknown
    document?: unknown
  }
  if (host.Bun !== undefined) return 'bun'
  if (host.Deno !== undefined) return 'deno'
  if (host.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd'
  if (typeof host.EdgeRuntime === 'string') return `edge runtime (${host.EdgeRuntime})`
  if (typeof host.process?.versions?.node === 'string') return 'node'
  if (host.window !== undefined && host.document !== undefined) return 'a browser'
  return 'unknown runtime'
}

/** The export conditions of `@tusk/core` that bind a runtime able to connect. */
export const CONNECTING_ENTRIES = 'node, bun, deno and workerd (Cloudflare Workers)'
