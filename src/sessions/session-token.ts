const SESSION_TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/

/**
 * A session token is `<session id>.<secret>`: the id finds the row by primary key, the 256-bit
 * secret is checked against its stored SHA-256 in constant time. Returns null for anything else.
 */
export function parseSessionToken(token: unknown): { id: string; secret: string } | null {
  if (typeof token !== 'string' || token.length > 100) return null
  const match = SESSION_TOKEN.exec(token)
  return match ? { id: match[1]!, secret: match[2]! } : null
}

export function formatSessionToken(id: string, secret: string): string {
  return `${id}.${secret}`
}
