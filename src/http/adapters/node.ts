import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SigraHandler } from '../create-handler.ts'
import { absoluteUrl } from './absolute-url.ts'
import { mountOf, sigraMount, type MountableSigra } from './sigra-mount.ts'
import { toFetchRequest, type NodeRequest } from './to-fetch-request.ts'
import { writeNodeResponse } from './write-node-response.ts'
import { describeError } from '../../kernel/safe-error-log.ts'

export type { MountableSigra } from './sigra-mount.ts'

export type NodeNext = (error?: unknown) => void
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: NodeNext) => void

export interface NodeHandlerOptions {
  /**
   * Hand requests outside Sigra's paths (basePath, pagesPath when pages are on, /dev/mailbox when
   * on) to `next()` instead of answering 404. Default: true when a `next` is passed.
   */
  onlyMatching?: boolean
}

export interface BareHandlerOptions extends NodeHandlerOptions {
  /** The app's public URL (its origin becomes every Request's). */
  baseUrl: string
  /** The prefixes the handler serves. Default ['/auth', '/account', '/dev/mailbox']. */
  paths?: readonly string[]
}

/**
 * Sigra for node:http, Express and connect: `(req, res, next?)`.
 *
 * - The Request's URL is baseUrl's origin + the request path, never the Host header.
 * - The client address given to Sigra is the socket's (`http.trustProxy` decides about
 *   X-Forwarded-For), not Express's `req.ip`.
 * - Mount it **before** body parsers: `app.use(toNodeHandler(sigra))`, then `express.json()`.
 *   If a parser ran first, a JSON or urlencoded `req.body` is re-serialised; other bodies are lost.
 * - Mounted under a path (`app.use('/x', …)`) it still routes on `req.originalUrl`.
 *
 * @example
 * app.use(toNodeHandler(sigra))        // Express: Sigra's paths, then your routes
 * http.createServer((req, res) => sigraNode(req, res, () => myRoutes(req, res)))
 */
export function toNodeHandler(sigra: MountableSigra, options?: NodeHandlerOptions): NodeHandler
export function toNodeHandler(handler: SigraHandler, options: BareHandlerOptions): NodeHandler
export function toNodeHandler(target: MountableSigra | SigraHandler, options: NodeHandlerOptions | BareHandlerOptions = {}): NodeHandler {
  const mount = typeof target === 'function' ? bareMount(target, options) : sigraMount(target)
  return (req, res, next) => {
    const nodeReq = req as NodeRequest
    const url = absoluteUrl(mount.origin, nodeReq.originalUrl ?? req.url ?? '/')
    const onlyMatching = options.onlyMatching ?? next !== undefined
    if (onlyMatching && (!url || !mount.owns(url.pathname))) {
      if (next) next()
      else notFound(res)
      return
    }
    if (!url) {
      res.statusCode = 400
      res.end()
      return
    }
    const aborted = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort()
    })
    const request = toFetchRequest(nodeReq, url, { signal: aborted.signal })
    mount
      .handler(request, { ip: req.socket.remoteAddress ?? null })
      .then((response) => writeNodeResponse(res, response, req.method))
      .catch((error: unknown) => {
        if (next) return next(error)
        console.error(`sigra: adapter error: ${describeError(error)}`)
        if (!res.headersSent) {
          res.statusCode = 500
          res.end()
        } else res.destroy()
      })
  }
}

function bareMount(handler: SigraHandler, options: NodeHandlerOptions | BareHandlerOptions) {
  if (!('baseUrl' in options) || !options.baseUrl) throw new TypeError('toNodeHandler(handler, options): options.baseUrl is required with a bare handler')
  return mountOf(handler, options.baseUrl, options.paths ?? ['/auth', '/account', '/dev/mailbox'])
}

function notFound(res: ServerResponse): void {
  res.statusCode = 404
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ ok: false, error: 'not_found' }))
}
