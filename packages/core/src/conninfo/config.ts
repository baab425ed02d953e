// The normalized, typed connection configuration that resolveConfig produces.
// Types only: the connection layer reads these; nothing here parses or validates.
import type {
  ChannelBinding,
  GssEncMode,
  Keyword,
  LoadBalanceHosts,
  ProtocolVersion,
  RequireAuthMethod,
  SslCertMode,
  SslMode,
  SslNegotiation,
  TargetSessionAttrs,
  TlsVersion,
} from './parameters.js'

/** Where a resolved keyword value came from, highest precedence first. */
export type ParameterOrigin =
  | 'connection-string'
  | 'options'
  | 'service-file'
  | 'environment'
  | 'default'

/** One server to try, in order (libpq's `connhost`). */
export interface HostTarget {
  /**
   * The host name, IP address or Unix-socket directory as given (the default socket directory or
   * `localhost` when none was); also the name TLS verifies. Empty only when just `hostaddr` was given.
   */
  readonly host: string
  /** The numeric IP to connect to instead of resolving `host` (libpq `hostaddr`). */
  readonly hostaddr?: string
  readonly port: number
  /** True for a Unix-domain socket (`host` starts with `/` or `@`, or a drive path on Windows). */
  readonly isSocket: boolean
  /** For sockets: the socket file, `<host>/.s.PGSQL.<port>` (leading `@`: Linux abstract namespace). */
  readonly socketPath?: string
  /** The password for this target (explicit, else from the passfile). Non-enumerable. */
  readonly password?: string
  /** Where `password` came from; `passfile` matters for libpq-style auth failure hints. */
  readonly passwordSource?: 'parameter' | 'passfile'
}

/**
 * What `require_auth` allows: the server may ask only for one of `methods`, and may skip
 * authentication only when `allowNone` (libpq's `allowed_auth_methods` / `auth_required`).
 */
export interface RequireAuth {
  readonly methods: readonly Exclude<RequireAuthMethod, 'none'>[]
  readonly allowNone: boolean
}

/** Default client-certificate files, used by TLS only when the parameter is unset and the file exists. */
export interface DefaultSslFiles {
  readonly rootcert: string
  readonly crl: string
  readonly cert: string
  readonly key: string
}

/**
 * A resolved connection configuration. Secrets (`password`, `sslpassword`, target passwords and
 * their `parameters` entries) are non-enumerable own properties: readable, but absent from
 * `JSON.stringify`, `util.inspect` and object spread. Frozen.
 */
export interface ConnectionConfig {
  /** Servers to try, in order; never empty. With `loadBalanceHosts: 'random'` the caller shuffles. */
  readonly hosts: readonly HostTarget[]
  readonly user: string
  readonly dbname: string
  /** The explicitly given password, if any (per-target passwords may come from the passfile). Non-enumerable. */
  readonly password?: string
  /** The passfile consulted (or that would be), when there was one. */
  readonly passfile?: string
  /** Server command-line options (`-c name=value ...`) sent at startup; `''` when none. */
  readonly options: string
  readonly applicationName?: string
  readonly fallbackApplicationName?: string
  /** Client encoding to request; `auto` is resolved to `UTF8`. */
  readonly clientEncoding?: string
  /** Connection timeout per host, in ms (libpq: seconds, minimum 2); undefined: wait forever. */
  readonly connectTimeoutMs?: number
  readonly keepalives: boolean
  /** TCP keepalive idle time in ms; undefined or 0: the system default. */
  readonly keepalivesIdleMs?: number
  /** TCP keepalive probe interval in ms; undefined or 0: the system default. */
  readonly keepalivesIntervalMs?: number
  /** TCP keepalive probes before the link is dead; undefined or 0: the system default. */
  readonly keepalivesCount?: number
  /** TCP_USER_TIMEOUT in ms; undefined or 0: the system default. */
  readonly tcpUserTimeoutMs?: number
  readonly sslmode: SslMode
  readonly sslnegotiation: SslNegotiation
  /** CA file, or `system` for the platform's trusted roots (which forces `verify-full`). */
  readonly sslrootcert?: string
  readonly sslcert?: string
  readonly sslkey?: string
  /** Passphrase of `sslkey`. Non-enumerable. */
  readonly sslpassword?: string
  readonly sslcrl?: string
  readonly sslcrldir?: string
  readonly sslcertmode: SslCertMode
  /** Send the TLS SNI extension (libpq `sslsni=1`, the default). */
  readonly sslsni: boolean
  readonly sslMinProtocolVersion?: TlsVersion
  readonly sslMaxProtocolVersion?: TlsVersion
  readonly sslkeylogfile?: string
  /** Where libpq looks for certificates when the `ssl*` file parameters are unset. */
  readonly sslDefaultFiles?: DefaultSslFiles
  readonly channelBinding: ChannelBinding
  readonly requireAuth?: RequireAuth
  /** Required OS user name of the server process on a Unix socket. */
  readonly requirepeer?: string
  readonly gssencmode: GssEncMode
  readonly targetSessionAttrs: TargetSessionAttrs
  readonly loadBalanceHosts: LoadBalanceHosts
  /** Replication mode: false (normal), true (physical), `database` (logical). */
  readonly replication: boolean | 'database'
  readonly minProtocolVersion: ProtocolVersion
  readonly maxProtocolVersion: ProtocolVersion
  readonly service?: string
  /** Server settings for the startup packet from `PGDATESTYLE`, `PGTZ`, `PGGEQO`. */
  readonly sessionSettings: Readonly<Record<string, string>>
  /** Every keyword's resolved value as libpq holds it (like `PQconninfo`); secrets non-enumerable. */
  readonly parameters: Readonly<Partial<Record<Keyword, string>>>
  /** Where each value in `parameters` came from. */
  readonly origins: Readonly<Partial<Record<Keyword, ParameterOrigin>>>
  /** Things libpq prints to stderr (e.g. an insecure passfile was ignored), for the caller to log. */
  readonly warnings: readonly string[]
}
