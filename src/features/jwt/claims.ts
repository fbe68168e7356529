/** What a verified access token says. Registered claims first; a host's custom claims beside them. */
export interface AccessTokenClaims {
  iss: string
  aud: string | string[]
  /** The user id. */
  sub: string
  iat: number
  exp: number
  jti: string
  /** The session the token derives from: ending it revokes the token (with revocation checking). */
  sid: string
  /** The refresh family that issued it: revoking the family revokes the token (with revocation checking). */
  fid: string
  /** The user's epoch at issue: any credential change since revokes the token (with revocation checking). */
  epoch: number
  /** How the session authenticated (RFC 8176): `pwd`, `otp`, `hwk`, … */
  amr: string[]
  [claim: string]: unknown
}

/** Claims Sigra sets and a custom-claims hook may not: each carries a check `verify` relies on. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sid', 'fid', 'epoch', 'amr'])
