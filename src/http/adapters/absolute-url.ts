/**
 * The absolute URL of a request target (`/path?query`) on `origin`. The host always comes from
 * the configured baseUrl, never from the request: an absolute-form target (`http://evil/x`) keeps
 * only its path and query, and `//evil/x` stays a path. Null for a target that is not a path ('*').
 */
export function absoluteUrl(origin: string, target: string): URL | null {
  try {
    if (target.startsWith('/')) return new URL(origin + target)
    if (/^https?:\/\//i.test(target)) {
      const parsed = new URL(target)
      return new URL(origin + parsed.pathname + parsed.search)
    }
  } catch {
    // not a URL: fall through
  }
  return null
}
