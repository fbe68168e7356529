import type { RequestAuthenticator } from '../../sessions/principal.ts'
import { headerValue } from '../../sessions/session-cookie.ts'
import type { JwtContext } from './jwt-context.ts'
import { verify } from './verify.ts'
import './augment.ts'

/** `Authorization: Bearer <JWS compact>` only: three non-empty base64url parts. Other bearer tokens (API tokens) pass by. */
const BEARER_JWT = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i

/**
 * The JWT authenticator for `sessions.fromRequest`: a bearer access token, verified with
 * revocation checking on (a token does not outlive a logout, a revocation, a password change, a
 * suspension or a deletion, on any instance): `{ user, session: null, via: 'jwt', claims }`.
 */
export function jwtAuthenticator(ctx: JwtContext): RequestAuthenticator {
  return async (headers) => {
    const match = BEARER_JWT.exec(headerValue(headers, 'authorization') ?? '')
    if (!match) return null
    const result = await verify(ctx, match[1], { checkRevocation: true })
    return result.ok && result.user ? { user: result.user, session: null, via: 'jwt', claims: result.claims } : null
  }
}
