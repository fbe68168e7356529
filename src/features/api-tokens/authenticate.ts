import type { RequestAuthenticator } from '../../sessions/principal.ts'
import { headerValue } from '../../sessions/session-cookie.ts'
import type { ApiTokensContext } from './api-tokens-context.ts'
import { verifyApiToken } from './verify.ts'
import './augment.ts'

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(authorization: string | null): string | null {
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization ?? '')
  return match ? match[1]! : null
}

/**
 * `Authorization: Bearer <prefix>_…` for `sessions.fromRequest`: the same checks as `verify`
 * (revocation, expiry, the account's state); `{ user, session: null, apiToken, via: 'api_token' }`.
 * Bearer values without this feature's prefix are left to other authenticators (a JWT).
 */
export function apiTokenAuthenticator(ctx: ApiTokensContext): RequestAuthenticator {
  return async (headers) => {
    const token = bearerToken(headerValue(headers, 'authorization'))
    if (!token || !token.startsWith(`${ctx.apiTokens.prefix}_`)) return null
    const result = await verifyApiToken(ctx, token)
    return result.ok ? { user: result.user, session: null, apiToken: result.apiToken, via: 'api_token' } : null
  }
}
