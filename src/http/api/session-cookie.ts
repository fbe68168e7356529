import type { Session } from '../../sessions/session.ts'
import { readSessionToken, sessionCookie } from '../cookies.ts'
import type { HttpContext, HttpDeps } from '../http-env.ts'

/** The session token of the request's cookie (never from a URL or a body). */
export function cookieToken(c: HttpContext, deps: HttpDeps): string | null {
  return readSessionToken(deps.cookies, c.req.header('cookie') ?? null)
}

/** Sets the session cookie for a new token: persistent (Expires) only for remember-me sessions. */
export function setSessionCookie(c: HttpContext, deps: HttpDeps, token: string, session: Pick<Session, 'rememberMe' | 'expiresAt'>): void {
  c.header('Set-Cookie', sessionCookie(deps.cookies, token, session))
}
