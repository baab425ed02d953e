/**
 * Authentication: SCRAM-SHA-256(-PLUS), md5, SASLprep, channel binding and the auth policy.
 * Pure functions and data: imports only `errors/` and the `runtime/crypto` interface type.
 */
export {
  TLS_SERVER_END_POINT,
  tlsServerEndPointHash,
  tlsServerEndPointHashName,
} from './channel-binding.js'
export { md5PasswordHash } from './md5.js'
export {
  type AuthContext,
  type AuthDecision,
  type AuthMethod,
  type AuthPolicy,
  type AuthPolicyOptions,
  type AuthRequest,
  type ChannelBindingMode,
  chooseAuthentication,
  createAuthPolicy,
  parseRequireAuth,
  type RequireAuthMethod,
} from './policy.js'
export { type SaslprepFailure, type SaslprepResult, saslprep } from './saslprep.js'
export {
  createScramSession,
  DEFAULT_MAX_SCRAM_ITERATIONS,
  SCRAM_SHA_256,
  SCRAM_SHA_256_PLUS,
  type ScramMechanism,
  type ScramSession,
  type ScramSessionOptions,
  type ScramState,
  scramPasswordBytes,
} from './scram.js'
