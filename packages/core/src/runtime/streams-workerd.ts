/**
 * What the Workers bundle links in place of `streams.ts`: Cloudflare Workers have no `node:stream`
 * (without the `nodejs_compat` flag), so the stream adapters refuse with a `ConfigError` naming
 * the runtime and the async-iterable API to use instead, which works as everywhere (`cursor()`,
 * `cursor.rows()`, `copyToIterable()`, `copyFrom` with an iterable).
 */
import { ConfigError } from '../errors/client.js'

function unavailable(what: string, instead: string): never {
  throw new ConfigError(
    `${what} returns a Node stream, which Cloudflare Workers (workerd) do not have; ${instead} instead`,
  )
}

/** Stands in for `node:stream`'s Readable: constructing it or calling `from` throws `ConfigError`. */
export class Readable {
  constructor() {
    unavailable('copyTo()', 'iterate copyToIterable() (for await … of db.copyToIterable(…))')
  }
  static from(): never {
    return unavailable('cursor.stream()', 'iterate the cursor (for await … of db.cursor(…))')
  }
}
