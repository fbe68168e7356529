import type { Sealer } from '../../kernel/crypto/seal.ts'

/** What a started sign-in is: only the browser that started it holds this, sealed, in an HttpOnly cookie. */
export type OAuthIntent = 'sign_in' | 'link' | 'sudo'

export interface OAuthState {
  /** The provider it was started for: a callback of another provider refuses it. */
  provider: string
  /** The `state` parameter sent to the provider, checked on the way back; spent once. */
  state: string
  /** The OIDC nonce the ID token must carry. */
  nonce: string
  /** The PKCE verifier (S256); never leaves the server but in this sealed value. */
  verifier: string
  /** A local path to land on afterwards. */
  returnTo: string
  intent: OAuthIntent
  /** For `link` and `sudo`: whose session started it. */
  userId: string | null
  sessionId: string | null
  rememberMe: boolean
  issuedAt: number
  expiresAt: number
}

/** Seals the state (AES-256-GCM, a key derived from the instance's secret for this purpose only) as a cookie value. */
export function sealState(sealer: Sealer, state: OAuthState): string {
  return Buffer.from(sealer.seal(JSON.stringify({ v: 1, ...state }))).toString('base64url')
}

const STRING_FIELDS = ['provider', 'state', 'nonce', 'verifier', 'returnTo'] as const

/** Opens a cookie value; null when it is missing, tampered with, sealed with an unknown secret, or malformed. */
export function openState(sealer: Sealer, value: string | null | undefined): OAuthState | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(value)) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(sealer.open(Buffer.from(value, 'base64url')))
  } catch {
    return null
  }
  const o = parsed as Record<string, unknown>
  if (typeof o !== 'object' || o === null || o.v !== 1) return null
  if (STRING_FIELDS.some((f) => typeof o[f] !== 'string')) return null
  if (o.intent !== 'sign_in' && o.intent !== 'link' && o.intent !== 'sudo') return null
  if (typeof o.issuedAt !== 'number' || typeof o.expiresAt !== 'number') return null
  return {
    provider: o.provider as string,
    state: o.state as string,
    nonce: o.nonce as string,
    verifier: o.verifier as string,
    returnTo: o.returnTo as string,
    intent: o.intent,
    userId: typeof o.userId === 'string' ? o.userId : null,
    sessionId: typeof o.sessionId === 'string' ? o.sessionId : null,
    rememberMe: o.rememberMe === true,
    issuedAt: o.issuedAt,
    expiresAt: o.expiresAt,
  }
}

/** The state cookie's name: `__Host-` prefixed (host-only, Path=/, Secure) outside localhost. */
export function stateCookieName(secure: boolean): string {
  return secure ? '__Host-sigra_oauth' : 'sigra_oauth'
}

/** HttpOnly, SameSite=Lax (sent on the provider's top-level redirect back), Path=/, short-lived. */
export function stateSetCookie(name: string, value: string, maxAge: number, secure: boolean): string {
  return [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`, ...(secure ? ['Secure'] : [])].join('; ')
}

export function clearedStateCookie(name: string, secure: boolean): string {
  return [`${name}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ')
}

/**
 * The cookie value from what a caller hands to `callback`: the value itself, or a whole Cookie
 * header (the value of `name` in it).
 */
export function cookieValue(name: string, input: unknown): string | null {
  if (typeof input !== 'string' || input === '') return null
  if (!input.includes('=')) return input
  for (const part of input.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null
  }
  return null
}
