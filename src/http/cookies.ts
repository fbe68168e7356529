import type { Session } from '../sessions/session.ts'
import type { CookiePolicy } from '../sessions/session-cookie.ts'

export { cookiePolicy, readCookie, readSessionToken, type CookiePolicy } from '../sessions/session-cookie.ts'

/** HttpOnly, SameSite=Lax, Path=/; persistent (until the session's absolute end) only for remember-me sessions. */
export function sessionCookie(policy: CookiePolicy, token: string, session: Pick<Session, 'rememberMe' | 'expiresAt'>): string {
  const parts = [`${policy.name}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax']
  if (policy.secure) parts.push('Secure')
  if (session.rememberMe) parts.push(`Expires=${session.expiresAt.toUTCString()}`)
  return parts.join('; ')
}

export function clearedSessionCookie(policy: CookiePolicy): string {
  return [`${policy.name}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', ...(policy.secure ? ['Secure'] : []), 'Max-Age=0'].join('; ')
}

/** The device-trust cookie: HttpOnly, SameSite=Lax, persistent until the trust ends. */
export function trustCookie(policy: CookiePolicy, token: string, expiresAt: Date): string {
  const parts = [`${policy.trustName}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Expires=${expiresAt.toUTCString()}`]
  if (policy.secure) parts.push('Secure')
  return parts.join('; ')
}

export function clearedTrustCookie(policy: CookiePolicy): string {
  return [`${policy.trustName}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', ...(policy.secure ? ['Secure'] : []), 'Max-Age=0'].join('; ')
}
