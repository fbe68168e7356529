import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'

/** A Node request as Express/connect leave it: `originalUrl` survives mounting, `body` is a parser's result. */
export type NodeRequest = IncomingMessage & { originalUrl?: string; body?: unknown }

let warnedUnrecoverable = false

/**
 * The fetch `Request` for a Node request, at `url` (built from baseUrl by the caller). The body
 * streams through unread (from `options.stream` when a framework hands over its own payload
 * stream, e.g. after a decompressing hook; else from `req`). If a body parser (`express.json()`, `express.urlencoded()`) already
 * consumed the stream, `req.body` is re-serialised in its original media type so CSRF and
 * validation see what the client sent; any other consumed body is passed on as absent.
 */
export function toFetchRequest(req: NodeRequest, url: URL, options: { signal?: AbortSignal; stream?: Readable } = {}): Request {
  const stream = options.stream ?? req
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    // Node already joins repeated Cookie lines with '; ' and other repeated fields with ', '.
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  const method = req.method ?? 'GET'
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (options.signal) init.signal = options.signal
  if (method !== 'GET' && method !== 'HEAD' && hasBody(req)) {
    if (!stream.readableDidRead && !stream.readableEnded) {
      init.body = Readable.toWeb(stream) as ReadableStream<Uint8Array>
      init.duplex = 'half'
    } else {
      headers.delete('content-length')
      headers.delete('transfer-encoding')
      const replayed = replayParsedBody(headers.get('content-type'), req.body)
      if (replayed !== null) init.body = replayed
      else if (!warnedUnrecoverable) {
        warnedUnrecoverable = true
        console.warn('sigra: the request body was already read by another middleware; mount the Sigra adapter before body parsers (express.json(), express.urlencoded()).')
      }
    }
  }
  return new Request(url, init)
}

/** Per RFC 9112 §6.3 a request has a body only with Content-Length or Transfer-Encoding. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? '0') > 0
}

/** `req.body` back in the media type it came in (never changing it: CSRF looks at the type). */
function replayParsedBody(contentType: string | null, body: unknown): string | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/json') return JSON.stringify(body)
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams()
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') form.append(key, value)
    return form.toString()
  }
  return null
}
