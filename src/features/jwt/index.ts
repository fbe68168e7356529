/**
 * `sigra/jwt`: JWT access tokens (EdDSA by default) with a JWKS, and rotating refresh tokens with
 * reuse detection, bound to sessions, for first-party apps and service-to-service calls.
 *
 * @example
 * import { jwt } from 'sigra/jwt'
 * const sigra = await createSigra({ ..., features: [jwt()] })
 */
export { jwt } from './jwt.ts'
export type { JwtApi } from './api.ts'
export type { JwtOptions, JwtAlgorithm, ClaimsHook } from './options.ts'
export type { AccessTokenClaims } from './claims.ts'
export type { TokenPair, IssueResult } from './issue.ts'
export type { RefreshResult } from './refresh.ts'
export type { VerifyResult } from './verify.ts'
export type { PendingSignIn, SignedInWithTokens, TokenLogInResult, VerifyMfaResult } from './login.ts'
export type { PublishedJwk, RotateKeysResult } from './keys.ts'
export type { JwtSweepReport } from './sweep.ts'
import './augment.ts'
