/**
 * Opening a session: resolve the connection string with the runtime's environment, connect, and
 * wrap the connection in a Session. The runtime comes from the package entry that calls this.
 */
import { type ConnectOptions, connectWithConfig } from '../connection/connect.js'
import { log } from '../connection/logger.js'
import type { ConnectionOptions } from '../conninfo/options.js'
import { resolveConfig } from '../conninfo/resolve.js'
import { attachCallSite, captureCallSite } from '../errors/call-site.js'
import { checkConnectOptions, checkConninfoObject } from '../options/validate.js'
import { type Runtime, runtimeOf } from '../runtime/runtime.js'
import { Session } from './session.js'

/**
 * Opens a session on `runtime` (pieces from `options.runtime` win). See the entry's `connect`.
 */
export async function openSession(
  conninfo: string | ConnectionOptions | undefined,
  options: ConnectOptions,
  defaults: () => Runtime,
): Promise<Session> {
  const site = captureCallSite(openSession)
  try {
    checkConninfoObject(conninfo, 'connect')
    checkConnectOptions(options)
    const runtime = runtimeOf(options.runtime, defaults)
    const config = resolveConfig(conninfo, runtime.context)
    for (const warning of config.warnings) log(options.logger, 'warn', warning)
    const pw = options.password
    const password = typeof pw === 'function' ? await pw() : pw
    return Session.wrap(await connectWithConfig(config, options, runtime, password))
  } catch (err) {
    throw attachCallSite(err, site)
  }
}
