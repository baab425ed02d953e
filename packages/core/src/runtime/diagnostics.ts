/**
 * diagnostics_channel channels the driver publishes on (tracing and metrics without patching).
 * The module itself comes from `diagnostics-channel.ts` (Node's; swapped in the Workers bundle).
 */
import { channel as runtimeChannel } from './diagnostics-channel.js'

/** Channel names, stable across releases. */
export const CHANNELS = {
  queryStart: 'tusk:query:start',
  queryEnd: 'tusk:query:end',
  queryError: 'tusk:query:error',
  connect: 'tusk:connect',
  connectError: 'tusk:connect:error',
  acquire: 'tusk:pool:acquire',
  release: 'tusk:pool:release',
  destroy: 'tusk:pool:destroy',
  operationStart: 'tusk:operation:start',
  operationEnd: 'tusk:operation:end',
} as const

/** A channel that costs nothing while nobody subscribes. */
export interface Channel {
  readonly hasSubscribers: boolean
  publish(message: unknown): void
}

/** The channel for `name`. */
export function channel(name: string): Channel {
  return runtimeChannel(name)
}

let eventSerial = 0

/** A fresh id for a query or operation event, unique in this process. */
export function nextEventId(): number {
  return ++eventSerial
}
