/**
 * What the `default` bundle links in place of `streams.ts`: no `node:stream` there, so the stream
 * adapters (`copyTo`, `cursor.stream()`) refuse with a `ConfigError` naming the detected runtime.
 */
import { ConfigError } from '../errors/client.js'
import { detectRuntime } from './detect.js'

function unavailable(what: string): never {
  throw new ConfigError(
    `${what} returns a Node stream, which the default entry of @tusk/core (on ${detectRuntime()}) does not have; iterate a cursor (for await … of db.cursor(…)) instead`,
  )
}

/** Stands in for `node:stream`'s Readable: constructing it or calling `from` throws `ConfigError`. */
export class Readable {
  constructor() {
    unavailable('copyTo()')
  }
  static from(): never {
    return unavailable('cursor.stream()')
  }
}
