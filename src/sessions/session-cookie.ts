import type { SigraConfig } from '../kernel/config.ts'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export interface CookiePolicy {
  name: string
  secure: boolean
  /**
   * The device-trust cookie (a token a sign-in step may honour, e.g. MFA's "don't ask again on this
   * device"): read at every sign-in and handed to the steps as `trustToken`; set by the feature that issues it.
   */
  trustName: string
}

/**
 * Secure everywhere but localhost, and then `__Host-`-prefixed (host-only, Path=/, no Domain):
 * decided once from `baseUrl`, never from a request.
 */
export function cookiePolicy(config: Pick<SigraConfig, 'baseUrl'>): CookiePolicy {
  const secure = !LOCAL_HOSTS.has(new URL(config.baseUrl).hostname)
  return { name: secure ? '__Host-sigra_session' : 'sigra_session', secure, trustName: secure ? '__Host-sigra_trust' : 'sigra_trust' }
}

/** The session token from a Cookie header (never from a URL or a body). */
export function readSessionToken(policy: CookiePolicy, cookieHeader: string | null | undefined): string | null {
  return readCookie(policy.name, cookieHeader)
}

/** One cookie's value from a Cookie header, or null. */
export function readCookie(name: string, cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null
  }
  return null
}

/** What `sessions.fromHeaders` accepts: fetch `Headers`, Node's `IncomingHttpHeaders`, or a plain object. */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/** One header's value, whatever the container; repeated values are joined as HTTP allows for that header. */
export function headerValue(headers: HeadersLike | null | undefined, name: string): string | null {
  if (!headers) return null
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name)
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue
    return typeof value === 'string' ? value : value.join(wanted === 'cookie' ? '; ' : ', ')
  }
  return null
}
