import { clientIp } from './client-ip.ts'
import type { HttpContext, HttpDeps } from './http-env.ts'

/** IP (per the trustProxy setting) and User-Agent of the request, as domain calls take them. */
export function requestMeta(deps: HttpDeps, c: HttpContext): { ip: string | null; userAgent: string | null } {
  return {
    ip: clientIp(c.req.raw, c.env?.ip, deps.config.http.trustProxy),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  }
}
