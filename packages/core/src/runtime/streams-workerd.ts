/**
 * What the Workers bundle links in place of `streams.ts`: Cloudflare Workers have no `node:stream`
 * (without the `nodejs_compat` flag), so the stream adapters refuse with a `ConfigError` naming
 * the runtime; the async-iterator APIs they adapt (`cursor()`, `cursor.rows()`, `copyFrom` with an
 * iterable) work as everywhere.
 */
import { ConfigError } from '../errors/client.js'

function unavailable(what: string): never {
  throw new ConfigError(
    `${what} returns a Node stream, which Cloudflare Workers (workerd) do not have; iterate a cursor (for await … of db.cursor(…)) instead`,
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

/** Stands in for `node:stream`'s PassThrough: constructing it throws `ConfigError`. */
export class PassThrough extends Readable {}
