// The libpq connection keywords: their environment variables, compiled defaults and option names.
// Pure data; spec: https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS

/** `sslmode` values, weakest first. */
export const SSL_MODES = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
] as const
/** How TLS is negotiated: after an SSLRequest (`postgres`) or straight away (`direct`, PG 17+). */
export const SSL_NEGOTIATIONS = ['postgres', 'direct'] as const
/** `sslcertmode` values. */
export const SSL_CERT_MODES = ['disable', 'allow', 'require'] as const
/** `channel_binding` values. */
export const CHANNEL_BINDINGS = ['disable', 'prefer', 'require'] as const
/** `gssencmode` values (Tusk has no GSSAPI: `require` is refused, as by a libpq built without it). */
export const GSS_ENC_MODES = ['disable', 'prefer', 'require'] as const
/** `target_session_attrs` values. */
export const TARGET_SESSION_ATTRS = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
] as const
/** `load_balance_hosts` values. */
export const LOAD_BALANCE_HOSTS = ['disable', 'random'] as const
/** Methods `require_auth` can name (`none`: the server asks for no authentication). */
export const REQUIRE_AUTH_METHODS = [
  'password',
  'md5',
  'gss',
  'sspi',
  'scram-sha-256',
  'oauth',
  'none',
] as const
/** TLS versions `ssl_min_protocol_version` / `ssl_max_protocol_version` accept. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const
/** Frontend/backend protocol versions (`min_protocol_version`, PG 18+); `latest` means 3.2. */
export const PROTOCOL_VERSIONS = ['3.0', '3.2'] as const

/** One `sslmode`. */
export type SslMode = (typeof SSL_MODES)[number]
/** One `sslnegotiation`. */
export type SslNegotiation = (typeof SSL_NEGOTIATIONS)[number]
/** One `sslcertmode`. */
export type SslCertMode = (typeof SSL_CERT_MODES)[number]
/** One `channel_binding`. */
export type ChannelBinding = (typeof CHANNEL_BINDINGS)[number]
/** One `gssencmode`. */
export type GssEncMode = (typeof GSS_ENC_MODES)[number]
/** One `target_session_attrs`. */
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number]
/** One `load_balance_hosts`. */
export type LoadBalanceHosts = (typeof LOAD_BALANCE_HOSTS)[number]
/** One `require_auth` method, without its `!`. */
export type RequireAuthMethod = (typeof REQUIRE_AUTH_METHODS)[number]
/** One TLS protocol version name. */
export type TlsVersion = (typeof TLS_VERSIONS)[number]
/** One frontend/backend protocol version. */
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number]

type IntLike = number | string
type BoolLike = boolean | 0 | 1 | '0' | '1'
type List<T> = T | readonly T[]

/** The value each keyword takes in an options object (strings always work, as in libpq). */
export interface KeywordValueTypes {
  service: string
  servicefile: string
  user: string
  password: string
  passfile: string
  channel_binding: ChannelBinding
  connect_timeout: IntLike
  dbname: string
  host: List<string>
  hostaddr: List<string>
  port: List<IntLike>
  client_encoding: string
  options: string
  application_name: string
  fallback_application_name: string
  keepalives: BoolLike
  keepalives_idle: IntLike
  keepalives_interval: IntLike
  keepalives_count: IntLike
  tcp_user_timeout: IntLike
  sslmode: SslMode
  sslnegotiation: SslNegotiation
  sslcompression: BoolLike
  sslcert: string
  sslkey: string
  sslcertmode: SslCertMode
  sslpassword: string
  sslrootcert: string
  sslcrl: string
  sslcrldir: string
  sslsni: BoolLike
  sslkeylogfile: string
  requirepeer: string
  require_auth: List<string>
  ssl_min_protocol_version: TlsVersion
  ssl_max_protocol_version: TlsVersion
  min_protocol_version: ProtocolVersion | 'latest'
  max_protocol_version: ProtocolVersion | 'latest'
  gssencmode: GssEncMode
  krbsrvname: string
  gsslib: string
  gssdelegation: BoolLike
  replication: boolean | 'database' | 'true' | 'false' | 'on' | 'off' | 'yes' | 'no' | '1' | '0'
  target_session_attrs: TargetSessionAttrs
  load_balance_hosts: LoadBalanceHosts
  oauth_issuer: string
  oauth_client_id: string
  oauth_client_secret: string
  oauth_scope: string
}

/** A libpq connection keyword, e.g. `sslmode`, `application_name`. */
export type Keyword = keyof KeywordValueTypes

/** `snake_case` to `camelCase` at the type level (`connect_timeout` → `connectTimeout`). */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S

/** Raw keyword values as strings, the way libpq holds them before interpreting them. */
export type ParameterValues = Partial<Record<Keyword, string>>

/** What Tusk does with a keyword it accepts. */
export type ParameterUse = 'used' | 'ignored'

/** The static facts about one keyword. */
export interface ParameterSpec {
  /** The environment variable consulted when no string, option or service sets it. */
  readonly env?: string
  /** libpq's compiled-in default, applied last. */
  readonly fallback?: string
  /** The value is a secret: never in a message, a log line or an enumerable property. */
  readonly secret?: boolean
  /** `ignored`: accepted (and validated where libpq validates) but without effect in Tusk. */
  readonly use: ParameterUse
}

const used: ParameterUse = 'used'
const ignored: ParameterUse = 'ignored'

/** Every keyword Tusk accepts, in libpq's order. */
export const PARAMETERS: { readonly [K in Keyword]: ParameterSpec } = {
  service: { env: 'PGSERVICE', use: used },
  servicefile: { env: 'PGSERVICEFILE', use: used },
  user: { env: 'PGUSER', use: used },
  password: { env: 'PGPASSWORD', secret: true, use: used },
  passfile: { env: 'PGPASSFILE', use: used },
  channel_binding: { env: 'PGCHANNELBINDING', fallback: 'prefer', use: used },
  connect_timeout: { env: 'PGCONNECT_TIMEOUT', use: used },
  dbname: { env: 'PGDATABASE', use: used },
  host: { env: 'PGHOST', use: used },
  hostaddr: { env: 'PGHOSTADDR', use: used },
  port: { env: 'PGPORT', fallback: '5432', use: used },
  client_encoding: { env: 'PGCLIENTENCODING', use: used },
  options: { env: 'PGOPTIONS', fallback: '', use: used },
  application_name: { env: 'PGAPPNAME', use: used },
  fallback_application_name: { use: used },
  keepalives: { use: used },
  keepalives_idle: { use: used },
  keepalives_interval: { use: ignored },
  keepalives_count: { use: ignored },
  tcp_user_timeout: { use: ignored },
  sslmode: { env: 'PGSSLMODE', fallback: 'prefer', use: used },
  sslnegotiation: { env: 'PGSSLNEGOTIATION', fallback: 'postgres', use: used },
  sslcompression: { env: 'PGSSLCOMPRESSION', fallback: '0', use: ignored },
  sslcert: { env: 'PGSSLCERT', use: used },
  sslkey: { env: 'PGSSLKEY', use: used },
  sslcertmode: { env: 'PGSSLCERTMODE', use: used },
  sslpassword: { secret: true, use: used },
  sslrootcert: { env: 'PGSSLROOTCERT', use: used },
  sslcrl: { env: 'PGSSLCRL', use: used },
  sslcrldir: { env: 'PGSSLCRLDIR', use: used },
  sslsni: { env: 'PGSSLSNI', fallback: '1', use: used },
  sslkeylogfile: { use: used },
  requirepeer: { env: 'PGREQUIREPEER', use: used },
  require_auth: { env: 'PGREQUIREAUTH', use: used },
  ssl_min_protocol_version: { env: 'PGSSLMINPROTOCOLVERSION', fallback: 'TLSv1.2', use: used },
  ssl_max_protocol_version: { env: 'PGSSLMAXPROTOCOLVERSION', use: used },
  min_protocol_version: { env: 'PGMINPROTOCOLVERSION', use: used },
  max_protocol_version: { env: 'PGMAXPROTOCOLVERSION', use: used },
  gssencmode: { env: 'PGGSSENCMODE', fallback: 'disable', use: used },
  krbsrvname: { env: 'PGKRBSRVNAME', fallback: 'postgres', use: ignored },
  gsslib: { env: 'PGGSSLIB', use: ignored },
  gssdelegation: { env: 'PGGSSDELEGATION', fallback: '0', use: ignored },
  replication: { use: used },
  target_session_attrs: { env: 'PGTARGETSESSIONATTRS', fallback: 'any', use: used },
  load_balance_hosts: { env: 'PGLOADBALANCEHOSTS', fallback: 'disable', use: used },
  oauth_issuer: { use: ignored },
  oauth_client_id: { use: ignored },
  oauth_client_secret: { secret: true, use: ignored },
  oauth_scope: { use: ignored },
}

/** Every keyword, in libpq's order. */
export const KEYWORDS: readonly Keyword[] = Object.keys(PARAMETERS) as Keyword[]

/** Keywords whose values are secrets. */
export const SECRET_KEYWORDS: ReadonlySet<Keyword> = new Set(
  KEYWORDS.filter((k) => PARAMETERS[k].secret === true),
)

/** True when `name` is a libpq keyword Tusk accepts (exact, case-sensitive, as libpq). */
export function isKeyword(name: string): name is Keyword {
  return Object.hasOwn(PARAMETERS, name)
}

/** The camelCase option name of a keyword (`connect_timeout` → `connectTimeout`). */
export function camelName<K extends Keyword>(keyword: K): CamelCase<K> {
  return keyword.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) as CamelCase<K>
}

const BY_CAMEL: ReadonlyMap<string, Keyword> = new Map(KEYWORDS.map((k) => [camelName(k), k]))

/** The keyword an options-object key names, in camelCase or snake_case; undefined if none. */
export function keywordForOptionName(name: string): Keyword | undefined {
  if (isKeyword(name)) return name
  return BY_CAMEL.get(name)
}

/** The camelCase option names, for suggestions. */
export const OPTION_NAMES: readonly string[] = KEYWORDS.map((k) => camelName(k))
