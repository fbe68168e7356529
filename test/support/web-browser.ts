import type { Sigra } from 'sigra'
import { nextIp } from './http-client.ts'

export const ORIGIN = 'http://localhost:3000'
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'

/**
 * A tiny browser for the pages, calling `sigra.handler` directly: keeps the session cookie as a
 * browser would (set, replaced, cleared), sends same-origin form posts, never follows redirects.
 */
export function browser(sigra: Pick<Sigra, 'handler'>, options: { token?: string; userAgent?: string; ip?: string } = {}) {
  let token: string | null = options.token ?? null
  const remember = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';')
      const eq = pair.indexOf('=')
      if (pair.slice(0, eq) !== 'sigra_session') continue
      const value = pair.slice(eq + 1)
      token = value === '' || /Max-Age=0/i.test(header) ? null : value
    }
    return response
  }
  const request = async (method: string, path: string, init: { form?: Record<string, string>; headers?: Record<string, string> } = {}) => {
    const headers = new Headers({ 'user-agent': options.userAgent ?? UA, ...init.headers })
    if (token) headers.set('cookie', `sigra_session=${token}`)
    let body: string | undefined
    if (init.form) {
      body = new URLSearchParams(init.form).toString()
      headers.set('content-type', 'application/x-www-form-urlencoded')
      if (!headers.has('origin') && !headers.has('sec-fetch-site')) headers.set('origin', ORIGIN)
    }
    const response = await sigra.handler(new Request(new URL(path, ORIGIN), { method, headers, ...(body !== undefined ? { body } : {}) }), { ip: options.ip ?? nextIp() })
    return remember(response)
  }
  return {
    get: (path: string, headers?: Record<string, string>) => request('GET', path, headers ? { headers } : {}),
    post: (path: string, form: Record<string, string> = {}, headers?: Record<string, string>) => request('POST', path, { form, ...(headers ? { headers } : {}) }),
    /** The session token the cookie jar holds now (null when none). */
    token: () => token,
  }
}

/** The body's text, and the <main> part of it. */
export async function page(response: Response): Promise<{ html: string; main: string }> {
  const html = await response.text()
  const start = html.indexOf('<main')
  const end = html.indexOf('</main>')
  return { html, main: start >= 0 && end > start ? html.slice(start, end) : '' }
}

/** The value of a hidden or text input named `name` in the markup (first match). */
export function inputValue(html: string, name: string): string | null {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`).exec(html)
  return match ? match[1]! : null
}
