import { absoluteUrl } from './absolute-url.ts'
import { sigraMount, type MountableSigra } from './sigra-mount.ts'

export type { MountableSigra } from './sigra-mount.ts'

/** What Next.js passes a route handler besides the Request (the catch-all segment is unused). */
export interface NextRouteContext {
  params: Promise<Record<string, string | string[] | undefined>>
}

export type NextRouteHandler = (request: Request, context?: NextRouteContext) => Promise<Response>

export interface NextHandlerOptions {
  /**
   * The client address, if your platform gives one some other way. Default: none, so the address
   * comes from X-Forwarded-For exactly as `http.trustProxy` allows (Next route handlers see no socket).
   */
  getIp?: (request: Request) => string | null | undefined
}

/**
 * Route handlers for the Next.js App Router. Put them in a catch-all route under basePath, and
 * likewise for the pages and the dev mailbox if you use them:
 *
 * @example
 * // app/auth/[...sigra]/route.ts (and app/account/[[...sigra]]/route.ts for the pages)
 * export const { GET, POST, PUT, PATCH, DELETE } = toNextHandler(sigra)
 *
 * A route handler has no socket. Behind Vercel or any reverse proxy set `http.trustProxy` to the
 * number of proxies so the client address (rate limits, audit log) is read from X-Forwarded-For;
 * with the default 0 the header is ignored and Sigra records no address. The URL handed on is
 * baseUrl's origin + the request path (never the Host header). Requests outside Sigra's paths
 * answer 404.
 */
export function toNextHandler(sigra: MountableSigra, options: NextHandlerOptions = {}) {
  const mount = sigraMount(sigra)
  const handle: NextRouteHandler = async (request) => {
    const source = new URL(request.url)
    const url = absoluteUrl(mount.origin, source.pathname + source.search)!
    if (!mount.owns(url.pathname)) return Response.json({ ok: false, error: 'not_found' }, { status: 404 })
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers: request.headers, signal: request.signal }
    if (request.body && request.method !== 'GET' && request.method !== 'HEAD') {
      init.body = request.body
      init.duplex = 'half'
    }
    return mount.handler(new Request(url, init), { ip: options.getIp?.(request) ?? null })
  }
  // HEAD and OPTIONS are left to Next (it derives HEAD from GET and answers OPTIONS itself).
  return { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle }
}
