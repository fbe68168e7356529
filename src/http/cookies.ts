import type { SigraConfig } from '../kernel/config.ts'
import type { Session } from '../sessions/session.ts'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export interface CookiePolicy {
  name: string
  secure: boolean
}

/**
 * Secure everywhere but localhost, and then `__Host-`-prefixed (host-only, Path=/, no Domain):
 * decided once from `baseUrl`, never from a request.
 */
export function cookiePolicy(config: SigraConfig): CookiePolicy {
  const secure = !LOCAL_HOSTS.has(new URL(config.baseUrl).hostname)
  return { name: secure ? '__Host-sigra_session' : 'sigra_session', secure }
}

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

/** The session token from the Cookie header (never from a URL or a body). */
export function readSessionToken(policy: CookiePolicy, cookieHeader: string | null): string | null {
  if (!cookieHeader) return null
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === policy.name) return part.slice(eq + 1).trim() || null
  }
  return null
}
