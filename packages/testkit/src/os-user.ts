/**
 * PostgreSQL refuses to run as root: when we are root, servers run as an unprivileged user that
 * this module finds or creates. Nothing here starts a server.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** The OS identity a server process runs under. */
export interface ServerUser {
  name: string
  uid: number
  gid: number
  /** True when the server runs as another user than this process (we are root). */
  switched: boolean
}

const CANDIDATES = ['postgres', 'tusk-pg']

function lookup(name: string): ServerUser | undefined {
  let passwd: string
  try {
    passwd = readFileSync('/etc/passwd', 'utf8')
  } catch {
    return undefined
  }
  for (const line of passwd.split('\n')) {
    const f = line.split(':')
    if (f[0] === name && f.length >= 4) {
      return { name, uid: Number(f[2]), gid: Number(f[3]), switched: true }
    }
  }
  return undefined
}

let cached: ServerUser | undefined

/** The user servers run as: ourselves, or (as root) `postgres`/`tusk-pg`, created if needed. */
export function serverUser(): ServerUser {
  if (cached) return cached
  const uid = process.getuid?.()
  if (uid === undefined || uid !== 0) {
    cached = {
      name: process.env.USER ?? 'self',
      uid: uid ?? -1,
      gid: process.getgid?.() ?? -1,
      switched: false,
    }
    return cached
  }
  for (const name of CANDIDATES) {
    const found = lookup(name)
    if (found) {
      cached = found
      return found
    }
  }
  execFileSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'tusk-pg'],
    {
      stdio: 'ignore',
    },
  )
  const created = lookup('tusk-pg')
  if (!created) throw new Error('testkit: could not create the unprivileged user "tusk-pg"')
  cached = created
  return created
}
