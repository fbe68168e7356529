import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { cookieToken, setSessionCookie } from '../../http/api/session-cookie.ts'
import { readCookie } from '../../http/cookies.ts'
import { forRequest, requestMeta } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { MagicLinkApi } from './api.ts'

/** The magic-link endpoints under `basePath`: ask for a link, and sign in with its token. */
export function magicLinkRoutes(api: MagicLinkApi): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/magic-link',
      tag: 'magic-link',
      summary: 'Mail a sign-in link (or, with signUp, a sign-up link) to an address. The answer is the same for every well-formed address, known or not, and when throttled.',
      body: v.object({ email: v.pipe(v.string(), v.maxLength(320)) }),
      responses: { 202: 'Accepted: check your email (known and unknown addresses alike)', 400: 'invalid (not an email address)' },
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).request(body.email, requestMeta(deps, c))
        return result.ok ? ok(c, { status: 'check_email' }, 202) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/magic-link/consume',
      tag: 'magic-link',
      summary: 'Sign in with the token of a mailed link (single use): sets the session cookie, like /login. `pending` names a sign-in step still to pass (mfa).',
      body: v.object({ token: v.pipe(v.string(), v.maxLength(256)), rememberMe: v.optional(v.boolean()) }),
      responses: { 200: 'Signed in (or held at a step: `pending`); Set-Cookie carries the session; `created` when the link made the account', 400: 'invalid_token', 403: 'account_unavailable', 429: 'rate_limited' },
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).consume(body.token, {
          ...requestMeta(deps, c),
          rememberMe: body.rememberMe === true,
          previousToken: cookieToken(c, deps),
          trustToken: readCookie(deps.cookies.trustName, c.req.header('cookie')),
        })
        if (!result.ok) return failure(c, result)
        setSessionCookie(c, deps, result.token, result.session)
        return ok(c, { user: result.user, session: result.session, pending: result.pending, created: result.created })
      },
    }),
  ]
}
