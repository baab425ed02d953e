// What conninfo needs from the outside world, injected: environment, files, home, OS user.
// The runtime layer supplies these (process.env, node:fs, node:os); conninfo never reads them itself.

/** A file as the reader returns it; `mode` (POSIX permission bits) enables libpq's pgpass check. */
export interface FileContents {
  readonly text: string
  /** `st_mode` or just its permission bits; when given, a group/world-accessible passfile is skipped. */
  readonly mode?: number
  /** False for a directory, device or other non-regular file; a passfile must be a regular file. */
  readonly isFile?: boolean
}

/** Reads a whole file synchronously; returns undefined when it does not exist or cannot be read. */
export type FileReader = (path: string) => string | FileContents | undefined

/** The injected inputs of `resolveConfig`; every field is optional and defaults to "nothing". */
export interface ResolveContext {
  /** Environment variables (`PGHOST`, `PGSSLMODE`, `HOME`, `APPDATA`, …), e.g. `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** File reader for the passfile and service files; without one no file is read. */
  readonly readFile?: FileReader
  /** The user's home directory (used when `HOME` is unset), e.g. `os.homedir()`. */
  readonly homeDir?: string
  /** The operating-system user name, libpq's default `user`, e.g. `os.userInfo().username`. */
  readonly userName?: string
  /** `process.platform`; only `win32` changes behaviour (paths, no Unix socket by default). */
  readonly platform?: string
  /**
   * The Unix-socket directory used when no host is given (libpq's compile-time
   * `DEFAULT_PGSOCKET_DIR`): `/tmp` by default, `/var/run/postgresql` on Debian builds. The empty
   * string means TCP to `localhost` (the default on Windows).
   */
  readonly defaultSocketDir?: string
  /**
   * Directory of the system-wide `pg_service.conf` when `PGSYSCONFDIR` is unset (libpq's
   * compile-time `SYSCONFDIR`): `/etc/postgresql-common` by default (Debian), none on Windows.
   */
  readonly sysconfDir?: string
}

/** The context with its defaults filled in. */
export interface Environment {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly win32: boolean
  readonly defaultSocketDir: string
  readonly sysconfDir: string | undefined
  readonly userName: string | undefined
  /** libpq's "home directory": `$HOME` on POSIX, `%APPDATA%\postgresql` on Windows. */
  readonly libpqHome: string | undefined
  readonly read: (path: string) => FileContents | undefined
}

/** Fills in the context's defaults. */
export function environmentOf(context: ResolveContext): Environment {
  const env = context.env ?? {}
  const win32 = context.platform === 'win32'
  const reader = context.readFile
  let libpqHome: string | undefined
  if (win32) {
    const appData = nonEmpty(env.APPDATA)
    const home = nonEmpty(context.homeDir)
    const base = appData ?? (home === undefined ? undefined : `${home}\\AppData\\Roaming`)
    libpqHome = base === undefined ? undefined : `${base}\\postgresql`
  } else {
    libpqHome = nonEmpty(env.HOME) ?? nonEmpty(context.homeDir)
  }
  return {
    env,
    win32,
    defaultSocketDir: context.defaultSocketDir ?? (win32 ? '' : '/tmp'),
    sysconfDir: context.sysconfDir ?? (win32 ? undefined : '/etc/postgresql-common'),
    userName: nonEmpty(context.userName),
    libpqHome,
    read: (path) => {
      if (reader === undefined) return undefined
      const got = reader(path)
      return typeof got === 'string' ? { text: got } : got
    },
  }
}

/** `dir` + separator + `name`, with the platform's separator. */
export function joinPath(environment: Environment, dir: string, name: string): string {
  const sep = environment.win32 ? '\\' : '/'
  return dir.endsWith('/') || dir.endsWith(sep) ? dir + name : dir + sep + name
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s
}
