import { readSessionToken, sessionCookie } from './cookies.ts'
import type { HttpContext, HttpDeps } from './http-env.ts'

/**
 * A privilege or credential change (sudo, password change or set, email change) renews the
 * session token: same session, new secret, so a copy of the old cookie stops working. Sets the new
 * cookie on the response and returns the renewed session, or null when there was none to renew.
 * A second renewal in the same request (an action resumed after sudo) starts from the first one's token.
 */
export async function renewSessionCookie(c: HttpContext, deps: HttpDeps) {
  const token = c.get('renewedToken') ?? readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
  if (!token) return null
  const renewed = await deps.sigra.sessions.rotate(token)
  if (!renewed.ok) return null
  c.set('renewedToken', renewed.token)
  c.header('Set-Cookie', sessionCookie(deps.cookies, renewed.token, renewed.session))
  return renewed.session
}
