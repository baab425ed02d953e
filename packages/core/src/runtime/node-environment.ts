/**
 * The Node implementation of what conninfo and TLS read from the machine: environment variables,
 * files (.pgpass, service files, certificates), the home directory and the OS user name.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import os from 'node:os'
import type { FileContents, ResolveContext } from '../conninfo/context.js'

function readText(path: string): FileContents | undefined {
  try {
    const st = statSync(path)
    if (!st.isFile()) return { text: '', mode: st.mode, isFile: false }
    return { text: readFileSync(path, 'utf8'), mode: st.mode, isFile: true }
  } catch {
    return undefined
  }
}

/** Reads a file's bytes, or undefined when it cannot be read. */
export function readBytes(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path))
  } catch {
    return undefined
  }
}

function userName(): string | undefined {
  try {
    return os.userInfo().username
  } catch {
    return undefined
  }
}

/**
 * The resolve context of this process. The default socket directory is `/var/run/postgresql`
 * when it exists (Debian and Ubuntu builds), else `/tmp` (PostgreSQL's own default).
 */
export function nodeResolveContext(): ResolveContext {
  return {
    env: process.env,
    readFile: readText,
    homeDir: os.homedir(),
    userName: userName(),
    platform: process.platform,
    defaultSocketDir:
      process.platform === 'win32'
        ? ''
        : existsSync('/var/run/postgresql')
          ? '/var/run/postgresql'
          : '/tmp',
  }
}
