// conninfo: libpq-compatible connection parameters (URIs, keyword/value strings, PG*, pgpass, services).
// Pure functions and data: imports only ../errors; environment, files, home and OS user are injected.

/**
 * libpq-compatible connection parameters, as specified by
 * https://www.postgresql.org/docs/current/libpq-connect.html.
 *
 * `resolveConfig(input, { env, readFile, homeDir, userName, platform })` applies libpq's
 * precedence (explicit string/options > service file > environment > compiled defaults; the
 * passfile only when no password was given) and returns a typed, frozen `ConnectionConfig`.
 * As in libpq, `ssl=true` in a URI query means `sslmode=require` (its JDBC alias); any other
 * `ssl` value, and `ssl` in keyword/value strings or options, is rejected with a pointer to `sslmode`.
 *
 * Differences from libpq:
 * - The default socket directory is `/tmp` (upstream libpq; Debian builds use
 *   `/var/run/postgresql`), the system service-file directory is `/etc/postgresql-common`; both
 *   are injectable (`defaultSocketDir`, `sysconfDir`). On Windows the default host is `localhost`.
 * - A raw `@` after the user part of a URI (host, port or database name), or a `?` in the user
 *   name, is an error instead of a silently odd parse: it nearly always means an unencoded `@` or
 *   `/` in a password. Percent-decoded bytes must be valid UTF-8.
 * - Options objects take camelCase names too, and `connectionString` rather than libpq's
 *   `dbname` expansion; a `dbname` is never parsed as a connection string.
 * - Empty numeric values (`PGCONNECT_TIMEOUT=`) mean "unset" instead of an error; `sslsni` must be
 *   `0` or `1`; `hostaddr` is checked to be a numeric address when resolving, not when connecting.
 * - `gssencmode=require` is refused (no GSSAPI, like a libpq built without it); `krbsrvname`,
 *   `gsslib`, `gssdelegation`, `sslcompression` and the `oauth_*` keywords are accepted but
 *   have no effect; `scram_client_key`/`scram_server_key` and LDAP service lookups are not supported.
 * - `client_encoding=auto` resolves to `UTF8` (JavaScript strings have no locale encoding).
 * - `load_balance_hosts=random` is reported, not applied: the connection layer shuffles `hosts`.
 * - Passfile permission problems are returned in `warnings` instead of printed to stderr.
 *
 * @packageDocumentation
 */

export type {
  ConnectionConfig,
  DefaultSslFiles,
  HostTarget,
  ParameterOrigin,
  RequireAuth,
} from './config.js'
export {
  looksLikeConnectionString,
  parseConnectionString,
  redactConnectionString,
} from './connection-string.js'
export type { FileContents, FileReader, ResolveContext } from './context.js'
export {
  describeConfig,
  REDACTED,
  type RedactedConnectionConfig,
  type RedactedHostTarget,
  redactConfig,
} from './describe.js'
export { parametersFromEnvironment, sessionSettingsFromEnvironment } from './environment.js'
export { isSocketPath } from './hosts.js'
export { parseKeywordValue } from './keyword-value.js'
export { type ConnectionOptions, optionsToParameters } from './options.js'
export {
  type CamelCase,
  CHANNEL_BINDINGS,
  type ChannelBinding,
  GSS_ENC_MODES,
  type GssEncMode,
  isKeyword,
  KEYWORDS,
  type Keyword,
  type KeywordValueTypes,
  LOAD_BALANCE_HOSTS,
  type LoadBalanceHosts,
  PARAMETERS,
  type ParameterSpec,
  type ParameterValues,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
  REQUIRE_AUTH_METHODS,
  type RequireAuthMethod,
  SSL_CERT_MODES,
  SSL_MODES,
  SSL_NEGOTIATIONS,
  type SslCertMode,
  type SslMode,
  type SslNegotiation,
  TARGET_SESSION_ATTRS,
  type TargetSessionAttrs,
  TLS_VERSIONS,
  type TlsVersion,
} from './parameters.js'
export { findPgpassPassword, type PgpassKey, pgpassLookupHost } from './pgpass.js'
export { type ConnectionInput, resolveConfig } from './resolve.js'
export { findServiceSection, type ServiceSetting } from './service-file.js'
export { isConnectionUri, parseUri } from './uri.js'
