import { isIP } from 'node:net'

/**
 * The client address: the socket's, unless `trustProxy` proxies sit in front, in which case the
 * entry of X-Forwarded-For that the outermost trusted proxy appended. With trustProxy = 0 the
 * header is ignored entirely (it is whatever the client says).
 */
export function clientIp(request: Request, socketIp: string | null | undefined, trustProxy: number): string | null {
  if (trustProxy > 0) {
    const hops = (request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    const candidate = hops[hops.length - trustProxy]
    // Only an address: a trusted proxy passes on whatever the client wrote before its own entry.
    if (candidate && isIP(candidate)) return candidate
  }
  return socketIp ? socketIp.replace(/^::ffff:/, '') : null
}
