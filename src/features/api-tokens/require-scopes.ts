import type { MiddlewareHandler } from 'hono'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SigraCore } from '../../facade/core-facade.ts'
import type { RequestPrincipal } from '../../sessions/principal.ts'
import type { ApiTokensApi } from './api.ts'
import { bearerToken } from './authenticate.ts'
import './augment.ts'

type ScopedSigra = Pick<SigraCore, 'sessions'> & { apiTokens: Pick<ApiTokensApi, 'verify'> }

declare module 'http' {
  interface IncomingMessage {
    /** Set by `requireScopes(...).node(sigra)` when it passes: who called, and how (`via`: 'api_token' or 'cookie'). */
    principal?: RequestPrincipal
  }
}

export type ScopeCheck = { ok: true; principal: RequestPrincipal } | { ok: false; error: 'unauthenticated' | 'invalid_token' | 'insufficient_scope'; response: Response }

function refuse(error: 'unauthenticated' | 'invalid_token' | 'insufficient_scope', scopes: readonly string[]): ScopeCheck {
  const status = error === 'insufficient_scope' ? 403 : 401
  // RFC 6750: the challenge names the error and, for a missing scope, what is needed.
  const challenge = error === 'unauthenticated' ? 'Bearer' : `Bearer error="${error}"${error === 'insufficient_scope' ? `, scope="${scopes.join(' ')}"` : ''}`
  const response = new Response(JSON.stringify({ ok: false, error }), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'WWW-Authenticate': challenge },
  })
  return { ok: false, error, response }
}

/**
 * Guards a host API route by scope. An API token (`Authorization: Bearer …`) must carry every
 * scope named; a signed-in browser session (the cookie) passes, as the user's own full access. A
 * refusal answers 401 (no or a bad token) or 403 `insufficient_scope`, with a `WWW-Authenticate`
 * challenge (RFC 6750). Account-lifecycle routes never accept tokens: they read the cookie only.
 *
 * @example
 * app.get('/repos', requireScopes('repo:read').hono(sigra), (c) => c.json(listRepos(c.get('principal').user)))
 * app.get('/repos', requireScopes('repo:read').node(sigra), (req, res) => …req.principal!.user…)
 */
export function requireScopes(...scopes: string[]) {
  const check = async (sigra: ScopedSigra, request: Request): Promise<ScopeCheck> => {
    const token = bearerToken(request.headers.get('authorization'))
    if (token) {
      const verified = await sigra.apiTokens.verify(token, { scopes })
      if (!verified.ok) return refuse(verified.error, scopes)
      return { ok: true, principal: { user: verified.user, session: null, apiToken: verified.apiToken, via: 'api_token' } }
    }
    const principal = await sigra.sessions.fromRequest(request)
    return principal?.via === 'cookie' ? { ok: true, principal } : refuse('unauthenticated', scopes)
  }
  return {
    check,
    hono(sigra: ScopedSigra): MiddlewareHandler<{ Variables: { principal: RequestPrincipal } }> {
      return async (c, next) => {
        const result = await check(sigra, c.req.raw)
        if (!result.ok) return result.response
        c.set('principal', result.principal)
        await next()
        return undefined
      }
    },
    node(sigra: ScopedSigra) {
      return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
        const headers = new Headers()
        for (const name of ['authorization', 'cookie'] as const) {
          const value = req.headers[name]
          if (typeof value === 'string') headers.set(name, value)
        }
        check(sigra, new Request('http://localhost/', { headers }))
          .then(async (result) => {
            if (result.ok) {
              req.principal = result.principal
              return next()
            }
            res.statusCode = result.response.status
            result.response.headers.forEach((value, key) => res.setHeader(key, value))
            res.end(Buffer.from(await result.response.arrayBuffer()))
          })
          .catch(next)
      }
    },
  }
}
