// @ts-check
// The checks of the scenario, in the order it runs them: the test file makes one test per check
// and runtime from this list, so a check that never reports fails too.

/** Every check the scenario runs, by name. */
export const CHECKS = /** @type {const} */ ([
  'resolves its own entry',
  'default entry refuses to connect',
  'tusk:connect names the runtime',
  'sslmode=disable',
  'sslmode=allow',
  'sslmode=prefer',
  'sslmode=require',
  'sslmode=verify-ca',
  'sslmode=verify-full',
  'verify-full refuses a wrong host name',
  'verify-ca refuses an unknown CA',
  'TLS client certificate',
  'SCRAM-SHA-256',
  'SCRAM-SHA-256-PLUS',
  'wrong password is InvalidPassword',
  'refused connection is ConnectionError',
  'type int8',
  'type numeric',
  'type timestamptz',
  'type bytea',
  'type json and jsonb',
  'type arrays',
  'pipelining',
  'pool',
  'cursor',
  'COPY in and out',
  'LISTEN with reconnect',
  'cancel by timeout and by AbortSignal',
  'error classes',
])

/** @typedef {(typeof CHECKS)[number]} CheckName */

/**
 * What the scenario is told about the server, as JSON in `TUSK_SCENARIO`.
 * @typedef {object} ScenarioInput
 * @property {string} runtime `node`, `bun` or `deno` (names the run's tables and sessions).
 * @property {number} port The server's TCP port on 127.0.0.1 (and `localhost`, for verify-full).
 * @property {{ superuser: Role, scram: Role }} roles
 * @property {{ caCertFile: string, clientCertFile: string, clientKeyFile: string }} certs
 */

/**
 * @typedef {object} Role
 * @property {string} user
 * @property {string} [password]
 */
