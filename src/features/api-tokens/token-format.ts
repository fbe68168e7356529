/**
 * `<prefix>_<id>_<secret>`: a fixed prefix secret scanners can match (GitHub's push protection, for
 * one, matches registered patterns), the row's id (32 hex characters, the UUID without dashes) to
 * find it by primary key, and a 256-bit secret (43 base64url characters) compared against its digest.
 */
export function formatApiToken(prefix: string, id: string, secret: string): string {
  return `${prefix}_${id.replaceAll('-', '')}_${secret}`
}

export function parseApiToken(prefix: string, token: unknown): { id: string; secret: string } | null {
  if (typeof token !== 'string' || token.length > 200 || !token.startsWith(`${prefix}_`)) return null
  const match = /^([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/.exec(token.slice(prefix.length + 1))
  if (!match) return null
  const hex = match[1]!
  return { id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, secret: match[2]! }
}
