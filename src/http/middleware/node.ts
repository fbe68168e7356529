import type { IncomingMessage, ServerResponse } from 'node:http'
import { guard, type GuardedSigra, type GuardRule } from './guard.ts'
import type { SigraLocals } from './hono.ts'

// The guards below set `req.sigra` on the request object itself, so the request types say so: an
// Express handler after `requireAuth()` reads `req.sigra` without a cast (express.Request extends
// IncomingMessage), and so does a node:http callback. Optional, as on routes no guard ran on it is
// absent; after a guard that passed it is always set (`req.sigra!`).
declare module 'http' {
  interface IncomingMessage {
    /** Set by the `sigraNode(sigra)` guards from 'sigra/middleware' when they pass: the user and session. */
    sigra?: SigraLocals
  }
}

/** An Express/connect request after a guard passed: `req.sigra` holds the user and session. */
export interface SigraNodeRequest extends IncomingMessage {
  sigra?: SigraLocals
  /** Express sets this when the router is mounted under a prefix. */
  originalUrl?: string
}

export type NodeMiddleware = (req: SigraNodeRequest, res: ServerResponse, next: (error?: unknown) => void) => void

/**
 * Express/connect middlewares guarding the host's own routes with the same rules as `guard`.
 * A refusal is written to `res` (303 or 401/403 JSON); a pass sets `req.sigra` and calls `next()`.
 *
 * @example
 * const auth = sigraNode(sigra)
 * app.get('/dashboard', auth.requireAuth(), (req, res) => res.send(`Hello ${req.sigra!.user.email}`))
 */
export function sigraNode(sigra: GuardedSigra) {
  const use = (rules: readonly GuardRule[]): NodeMiddleware =>
    (req, res, next) => {
      guard(sigra, toRequest(sigra, req), rules, { ip: req.socket?.remoteAddress ?? null })
        .then(async (result) => {
          if (result.ok) {
            req.sigra = { user: result.user, session: result.session }
            return next()
          }
          res.statusCode = result.response.status
          result.response.headers.forEach((value, key) => res.setHeader(key, value))
          res.end(Buffer.from(await result.response.arrayBuffer()))
        })
        .catch(next)
    }
  return {
    requireAuth: () => use(['requireAuth']),
    requireSudo: () => use(['requireAuth', 'requireSudo']),
    requireConfirmed: () => use(['requireAuth', 'requireConfirmed']),
    requirePasswordChangeDone: () => use(['requireAuth', 'requirePasswordChangeDone']),
    guard: (rules: readonly GuardRule[]) => use(rules),
  }
}

/** Only what the rules read: the URL (for return_to), Cookie, Accept and User-Agent (for the audit of a refusal). The body is left alone. */
function toRequest(sigra: GuardedSigra, req: SigraNodeRequest): Request {
  const headers = new Headers()
  for (const name of ['cookie', 'accept', 'user-agent'] as const) {
    const value = req.headers[name]
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join('; ') : value)
  }
  // The configured origin, never the Host header: only the path and query are taken from the request.
  const path = (req.originalUrl ?? req.url ?? '/').replace(/^\/+/, '/')
  return new Request(new URL(path.startsWith('/') ? path : `/${path}`, sigra.config.baseUrl), { headers })
}
