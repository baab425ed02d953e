/**
 * What the Workers bundle links in place of `diagnostics-channel.ts`. workerd has
 * `node:diagnostics_channel` only with the `nodejs_compat` flag, so it is looked up at run time
 * (`process.getBuiltinModule`, present under that flag) and never imported: with the flag, tracing
 * subscribers see the driver's events as on Node; without it every channel is a silent no-op.
 */
import type { Channel } from './diagnostics.js'

interface ChannelModule {
  channel(name: string): Channel
}

const silent: Channel = {
  hasSubscribers: false,
  publish(): void {},
}

function lookup(): ChannelModule | undefined {
  const host = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown }
  }
  try {
    return host.process?.getBuiltinModule?.('node:diagnostics_channel') as ChannelModule | undefined
  } catch {
    return undefined
  }
}

const dc = lookup()

/** The channel for `name`; a no-op channel when the runtime has no `diagnostics_channel`. */
export function channel(name: string): Channel {
  return dc?.channel(name) ?? silent
}
