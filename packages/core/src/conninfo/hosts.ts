// The host, hostaddr and port lists turned into ordered connection targets, as libpq pairs them.
// One port for all hosts or one per host; empty entries mean the default socket (or localhost).
import { ConfigError } from '../errors/client.js'
import type { OriginNote } from './values.js'
import { isIpAddress, parsePort } from './values.js'

/** A target before its password is known; `portText` is what the passfile is matched against. */
export interface Target {
  readonly host: string
  readonly hostaddr?: string
  readonly port: number
  readonly portText: string
  readonly isSocket: boolean
  readonly socketPath?: string
}

/** True when libpq would take `host` as a Unix-socket directory: absolute path, or `@abstract`. */
export function isSocketPath(host: string, win32: boolean): boolean {
  if (host.startsWith('/') || host.startsWith('@')) return true
  return win32 && (host.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(host))
}

function socketFile(dir: string, port: number): string {
  return `${dir.endsWith('/') ? dir : `${dir}/`}.s.PGSQL.${port}`
}

/**
 * Pairs the comma-separated `host`, `hostaddr` and `port` values (undefined or empty: not given)
 * into targets. With `hostaddr`, its count decides and `host` must match it; a single port
 * applies to every host, otherwise there must be one per host. Throws `ConfigError` with libpq's
 * wording.
 */
export function buildTargets(
  lists: { host?: string | undefined; hostaddr?: string | undefined; port?: string | undefined },
  defaultSocketDir: string,
  win32: boolean,
  note: OriginNote,
): Target[] {
  const hostaddrs = lists.hostaddr ? lists.hostaddr.split(',') : undefined
  const hosts = lists.host ? lists.host.split(',') : undefined
  const count = hostaddrs?.length ?? hosts?.length ?? 1
  if (hostaddrs !== undefined && hosts !== undefined && hosts.length !== count) {
    throw new ConfigError(
      `could not match ${hosts.length} host names to ${count} hostaddr values`,
      { parameter: 'host' },
    )
  }
  let ports: string[] = new Array<string>(count).fill('')
  if (lists.port) {
    const given = lists.port.split(',')
    if (given.length === 1) ports = ports.map(() => given[0] as string)
    else if (given.length === count) ports = given
    else {
      throw new ConfigError(`could not match ${given.length} port numbers to ${count} hosts`, {
        parameter: 'port',
      })
    }
  }
  const targets: Target[] = []
  for (let i = 0; i < count; i++) {
    const hostaddr = hostaddrs?.[i] ?? ''
    let host = hosts?.[i] ?? ''
    const portText = ports[i] === '' || ports[i] === undefined ? '5432' : (ports[i] as string)
    const port = parsePort(portText, note)
    if (hostaddr !== '') {
      if (!isIpAddress(hostaddr)) {
        throw new ConfigError(
          `could not parse network address "${hostaddr}"${note('hostaddr')}; ` +
            'hostaddr takes numeric IPv4 or IPv6 addresses (use host for names)',
          { parameter: 'hostaddr' },
        )
      }
      targets.push({ host, hostaddr, port, portText, isSocket: false })
      continue
    }
    let isSocket: boolean
    if (host !== '') isSocket = isSocketPath(host, win32)
    else if (defaultSocketDir !== '') {
      host = defaultSocketDir
      isSocket = true
    } else {
      host = 'localhost'
      isSocket = false
    }
    targets.push(
      isSocket
        ? { host, port, portText, isSocket, socketPath: socketFile(host, port) }
        : { host, port, portText, isSocket },
    )
  }
  return targets
}
