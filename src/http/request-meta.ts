import { cleanRequestMeta } from '../kernel/clean-request-meta.ts'
import type { SigraConfig } from '../kernel/config.ts'
import { scopeToRequest } from '../kernel/request-meta.ts'
import { clientIp } from './client-ip.ts'
import type { HttpContext, HttpDeps } from './http-env.ts'

/**
 * IP (per the trustProxy setting) and User-Agent of the request, as domain calls take them: the
 * user agent is recorded, never refused, so characters PostgreSQL cannot store are dropped from it.
 */
export function requestMeta(deps: { config: Pick<SigraConfig, 'http'> }, c: HttpContext): { ip: string | null; userAgent: string | null } {
  const meta = cleanRequestMeta({ ip: clientIp(c.req.raw, c.env?.ip, deps.config.http.trustProxy), userAgent: c.req.header('user-agent') ?? null })
  return { ip: meta.ip ?? null, userAgent: meta.userAgent ?? null }
}

/**
 * The dependencies for one request: the facade scoped to it, so every audit row its calls write
 * records where the request came from. Every route and page runs with these.
 */
export function depsForRequest<D extends HttpDeps>(deps: D, c: HttpContext, current?: { session: { impersonatorId: string | null } } | null): D {
  const meta = requestMeta(deps, c)
  // An operator impersonating the user is the actor of everything this request writes.
  const request = current?.session.impersonatorId ? { ...meta, actorId: current.session.impersonatorId, actorType: 'admin' as const } : meta
  return { ...deps, request, sigra: deps.sigra.withRequest(request) }
}

/** A feature's facade scoped to the request a route serves, so its audit rows record where from. */
export function forRequest<T extends object>(api: T, deps: Pick<HttpDeps, 'request'>): T {
  return scopeToRequest(api, deps.request)
}
