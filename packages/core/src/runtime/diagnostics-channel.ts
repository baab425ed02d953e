/**
 * The `diagnostics_channel` implementation behind `diagnostics.ts`: Node's module (Bun and Deno
 * provide the same). Swapped at build time for runtimes without it (`diagnostics-channel-workerd.ts`).
 */
import dc from 'node:diagnostics_channel'
import type { Channel } from './diagnostics.js'

/** The channel for `name`. */
export function channel(name: string): Channel {
  return dc.channel(name)
}
