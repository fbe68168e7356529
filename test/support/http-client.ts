import type { Sigra } from 'sigra'

export const ORIGIN = 'http://localhost:3000'

let ipCounter = 0
/** A distinct documentation-range client address per request, so per-IP budgets never interfere. */
export function nextIp(): string {
  ipCounter++
  return `198.18.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`
}

export interface CallOptions {
  /** JSON-encoded unless `form` is set or it is already a string. */
  body?: unknown
  form?: Record<string, string>
  /** The session token, sent as the cookie named `cookieName`. */
  token?: string | null
  cookieName?: string
  headers?: Record<string, string>
  /** Omit the same-origin Origin header that unsafe calls get by default. */
  noOrigin?: boolean
  ip?: string
  base?: string
}

/** Calls `sigra.handler` directly (no server), as a same-origin browser page would by default. */
export async function call(sigra: Pick<Sigra, 'handler'>, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const base = options.base ?? ORIGIN
  const headers = new Headers(options.headers)
  let body: string | undefined
  if (options.form) {
    body = new URLSearchParams(options.form).toString()
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded')
  } else if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  if (!options.noOrigin && method !== 'GET' && !headers.has('origin') && !headers.has('sec-fetch-site')) headers.set('origin', new URL(base).origin)
  if (options.token) headers.set('cookie', `${options.cookieName ?? 'sigra_session'}=${options.token}`)
  return sigra.handler(new Request(new URL(path, base), { method, headers, ...(body !== undefined ? { body } : {}) }), { ip: options.ip ?? nextIp() })
}

export type Json = Record<string, unknown> & { ok: boolean; error?: string }

export async function json(response: Response): Promise<Json> {
  return (await response.json()) as Json
}

/** The Set-Cookie header of a response, or null. */
export function setCookie(response: Response): string | null {
  return response.headers.get('set-cookie')
}

/** The token a Set-Cookie header carries (empty string for a cleared cookie). */
export function cookieToken(response: Response): string | null {
  const header = setCookie(response)
  if (!header) return null
  const first = header.split(';')[0]!
  return first.slice(first.indexOf('=') + 1)
}
