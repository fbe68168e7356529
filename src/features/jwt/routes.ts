import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { Email, Flag, Password } from '../../http/api/input-schemas.ts'
import { cookieToken } from '../../http/api/session-cookie.ts'
import { readCookie } from '../../http/cookies.ts'
import { forRequest } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { HttpContext } from '../../http/http-env.ts'
import type { JwtApi } from './api.ts'
import type { TokenPair } from './issue.ts'
import type { PendingSignIn, SignedInWithTokens } from './login.ts'

const RefreshToken = v.pipe(v.string(), v.maxLength(256))
const StepToken = v.pipe(v.string(), v.maxLength(256))

const pair = (c: HttpContext, r: TokenPair, extra: Record<string, unknown> = {}) =>
  ok(c, { accessToken: r.accessToken, refreshToken: r.refreshToken, tokenType: r.tokenType, expiresIn: r.expiresIn, refreshExpiresAt: r.refreshExpiresAt, ...extra })

const signedIn = (c: HttpContext, r: SignedInWithTokens | PendingSignIn) =>
  'accessToken' in r ? pair(c, r, { user: r.user, pending: [] }) : ok(c, { pending: r.pending, stepToken: r.stepToken })

/**
 * JWT's JSON routes under `basePath`, each with its OpenAPI description. `mfa`: whether the MFA
 * feature is enabled (then `POST /token/mfa` exists). `jwksMaxAge`: how long the JWKS may be cached.
 */
export function jwtRoutes(api: JwtApi, options: { mfa: boolean; jwksMaxAge: number }): ApiRoute[] {
  const routes: ApiRoute[] = [
    defineRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      tag: 'jwt',
      summary: 'The public keys that verify access tokens (RFC 7517): the signing key and retired ones whose tokens may still be live. Cacheable.',
      responses: { 200: '{ keys: [...] }' },
      async handle(c, _body, deps) {
        const set = await forRequest(api, deps).jwks()
        return c.json(set, 200, { 'Cache-Control': `public, max-age=${options.jwksMaxAge}` })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/token/session',
      tag: 'jwt',
      summary: 'Exchange the current session (cookie) for an access token and a refresh token bound to it: logging out ends them.',
      auth: true,
      responses: { 200: '{ accessToken, refreshToken, tokenType, expiresIn, refreshExpiresAt }', 401: 'invalid_session', 403: 'impersonated' },
      async handle(c, _body, deps) {
        const result = await forRequest(api, deps).issue(cookieToken(c, deps))
        return result.ok ? pair(c, result) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/token/login',
      tag: 'jwt',
      summary:
        'Password login for first-party apps, answered with tokens instead of a cookie (the same sign-in pipeline as POST /login). With a sign-in step pending (a second factor): no tokens, `{ pending, stepToken }`.',
      body: v.object({ login: Email, password: Password, rememberMe: Flag }),
      responses: {
        200: '{ accessToken, refreshToken, …, user, pending: [] }, or { pending: ["mfa"], stepToken }',
        401: 'invalid_credentials',
        403: 'unconfirmed',
        422: 'vetoed',
        423: 'locked (Retry-After)',
      },
      async handle(c, body, deps) {
        const trustToken = readCookie(deps.cookies.trustName, c.req.header('cookie'))
        const result = await forRequest(api, deps).logIn({ login: body.login, password: body.password, rememberMe: body.rememberMe ?? true, trustToken, ...deps.request })
        return result.ok ? signedIn(c, result) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/token/refresh',
      tag: 'jwt',
      summary:
        'Rotate a refresh token: the presented one is spent, a new pair returned. A spent token presented again revokes the family and its session (reuse_detected), except twice within a few seconds, which gets the same successor.',
      body: v.object({ refreshToken: RefreshToken }),
      responses: { 200: '{ accessToken, refreshToken, tokenType, expiresIn, refreshExpiresAt }', 400: 'invalid_token', 401: 'reuse_detected', 403: 'a step is pending on the session (password_change_required)' },
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).refresh(body.refreshToken)
        return result.ok ? pair(c, result) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/token/revoke',
      tag: 'jwt',
      summary: 'End the refresh family of a token (sign the app out); a token login also ends its session. Always 200 (RFC 7009).',
      body: v.object({ refreshToken: RefreshToken }),
      responses: { 200: 'Revoked, or nothing to revoke' },
      async handle(c, body, deps) {
        await forRequest(api, deps).revoke(body.refreshToken)
        return ok(c, {})
      },
    }),
  ]
  if (options.mfa) {
    routes.push(
      defineRoute({
        method: 'post',
        path: '/token/mfa',
        tag: 'jwt',
        summary: 'The second factor for a token login held at mfa: the stepToken from POST /token/login with a code from the app or a backup code; answers the tokens.',
        body: v.object({ stepToken: StepToken, code: v.optional(v.pipe(v.string(), v.maxLength(16))), backupCode: v.optional(v.pipe(v.string(), v.maxLength(32))) }),
        responses: { 200: '{ accessToken, refreshToken, …, user, pending: [] }', 400: 'invalid_code', 401: 'invalid_session', 423: 'locked (Retry-After)' },
        async handle(c, body, deps) {
          const proof = body.code !== undefined ? { code: body.code } : { backupCode: body.backupCode ?? '' }
          const result = await forRequest(api, deps).verifyMfa(body.stepToken, proof)
          return result.ok ? signedIn(c, result) : failure(c, result)
        },
      }),
    )
  }
  return routes
}
