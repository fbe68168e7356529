import type { Sigra } from 'sigra'
import { nextIp } from './http-client.ts'

export const ORIGIN = 'http://localhost:3000'
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36'

/**
 * A small browser for the passkey routes and pages, calling `sigra.handler` directly: one cookie
 * jar for every cookie (session, passkey ceremony, trust) with Max-Age=0 clearing, same-origin
 * JSON and form posts, no redirects followed. Each client is one browser, at one IP unless told.
 */
export function client(sigra: Pick<Sigra, 'handler'>, options: { ip?: string } = {}) {
  const jar = new Map<string, string>()
  const ip = options.ip ?? nextIp()
  const remember = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      if (value === '' || /Max-Age=0/i.test(header)) jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }
  const request = async (method: string, path: string, init: { json?: unknown; form?: Record<string, string>; raw?: string; headers?: Record<string, string> } = {}) => {
    const headers = new Headers({ 'user-agent': UA, ...init.headers })
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    let body: string | undefined
    if (init.json !== undefined || init.raw !== undefined) {
      body = init.raw ?? JSON.stringify(init.json)
      headers.set('content-type', 'application/json')
      headers.set('accept', 'application/json')
    } else if (init.form) {
      body = new URLSearchParams(init.form).toString()
      headers.set('content-type', 'application/x-www-form-urlencoded')
    }
    if (method !== 'GET' && !headers.has('origin')) headers.set('origin', ORIGIN)
    return remember(await sigra.handler(new Request(new URL(path, ORIGIN), { method, headers, ...(body !== undefined ? { body } : {}) }), { ip }))
  }
  return {
    get: (path: string) => request('GET', path),
    json: (method: string, path: string, json: unknown = {}) => request(method, path, { json }),
    raw: (path: string, raw: string) => request('POST', path, { raw }),
    form: (path: string, form: Record<string, string> = {}) => request('POST', path, { form }),
    cookie: (name: string) => jar.get(name) ?? null,
    setCookie: (name: string, value: string | null) => (value === null ? jar.delete(name) : jar.set(name, value)),
  }
}

export type Client = ReturnType<typeof client>

/** The JSON body of a response. */
export async function body(response: Response): Promise<Record<string, any>> {
  return (await response.json()) as Record<string, any>
}

/** The HTML-unescaped value of a `data-*` attribute in the markup (first match). */
export function dataAttribute(html: string, name: string): string | null {
  const match = new RegExp(`${name}="([^"]*)"`).exec(html)
  return match ? match[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : null
}
