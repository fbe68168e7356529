import type { SigraConfig } from '../kernel/config.ts'

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * CSRF defence for every unsafe method, on top of SameSite=Lax:
 * - `Sec-Fetch-Site` (all current browsers) must be `same-origin` or `none` (typed/bookmarked);
 * - else `Origin`, when sent, must be baseUrl's origin or an allowed one;
 * - a request with neither is not from a browser page unless it is a form post, which is refused.
 * Returns true when the request may proceed.
 */
export function passesCsrf(config: SigraConfig, request: Request): boolean {
  if (SAFE.has(request.method)) return true
  const site = request.headers.get('sec-fetch-site')
  if (site) return site === 'same-origin' || site === 'none'
  const origin = request.headers.get('origin')
  if (origin) return origin === new URL(config.baseUrl).origin || config.http.allowedOrigins.includes(origin)
  const type = (request.headers.get('content-type') ?? '').toLowerCase()
  return !(type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data') || type.startsWith('text/plain'))
}
