import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { cookieToken, setSessionCookie } from '../../http/api/session-cookie.ts'
import { readCookie } from '../../http/cookies.ts'
import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { prefersHtml } from '../../http/middleware/prefers-html.ts'
import { readBody } from '../../http/read-body.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'
import { forRequest, requestMeta } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { Failure } from '../../kernel/result.ts'
import { pagePath } from '../../web/page-path.ts'
import type { OAuthApi } from './api.ts'
import type { OAuthContext } from './oauth-context.ts'
import { clearedStateCookie } from './state.ts'

/** A local path with one query parameter added, its other parameters and #fragment kept. */
export function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, 'http://sigra.invalid')
  url.searchParams.set(name, value)
  return `${url.pathname}${url.search}${url.hash}`
}

function redirect(c: HttpContext, location: string): Response {
  c.header('Cache-Control', 'no-store')
  c.header('Referrer-Policy', 'no-referrer')
  return c.redirect(location, 303)
}

/**
 * A refused start or callback: a browser (pages on) is sent to the error page, which says what
 * happened in words (the code is looked up in a fixed table there, never shown as given); an API
 * client gets the JSON failure.
 */
function refused(c: HttpContext, deps: HttpDeps, provider: string, result: Failure<string>): Response {
  if (deps.config.http.pages && prefersHtml(c.req.header('accept'))) {
    // The person cancelled at the provider: said as such (the one reason the page tells apart).
    const cancelled = result.error === 'provider_error' && result.reason === 'access_denied'
    return redirect(c, pagePath(deps.config, 'oauth/error', { error: result.error, provider, ...(cancelled ? { reason: 'access_denied' } : {}) }))
  }
  return failure(c, result)
}

/**
 * The OAuth endpoints under `basePath`: start (a browser navigation: 303 to the provider with the
 * state cookie), the callback (GET, and POST for `form_post` providers such as Apple), and the
 * signed-in user's connected accounts (list, link, sudo, unlink) over JSON.
 */
export function oauthRoutes(api: OAuthApi, ctx: OAuthContext): ApiRoute[] {
  const cookieName = ctx.oauth.cookieName
  const secure = ctx.oauth.secureCookies
  const param = (c: HttpContext) => c.req.param('provider') ?? ''
  return [
    defineRoute({
      method: 'get',
      path: '/oauth/providers',
      tag: 'oauth',
      summary: 'The sign-in providers this app offers, in order: id and display name.',
      responses: { 200: '`providers`: [{ id, name, kind }]' },
      async handle(c, _body, deps) {
        return ok(c, { providers: await forRequest(api, deps).providers() })
      },
    }),
    defineRoute({
      method: 'get',
      path: '/oauth/:provider/start',
      tag: 'oauth',
      summary: 'Start signing in with a provider: 303 to its authorization page (code flow, PKCE S256, state and nonce), with the state cookie. `?return_to=` a local path; `?remember_me=1`.',
      responses: { 303: 'To the provider; Set-Cookie carries the state binding', 400: 'invalid (return_to is not a local path)', 404: 'unknown_provider', 502: 'provider_error (its discovery document could not be used)' },
      async handle(c, _body, deps) {
        const provider = param(c)
        const result = await forRequest(api, deps).authorizationUrl(provider, {
          returnTo: c.req.query('return_to'),
          rememberMe: c.req.query('remember_me') === '1' || c.req.query('remember_me') === 'on',
          ip: deps.request.ip ?? null,
        })
        if (!result.ok) return refused(c, deps, provider, result)
        c.header('Set-Cookie', result.setCookie, { append: true })
        return redirect(c, result.url)
      },
    }),
    defineRoute({
      method: 'get',
      path: '/oauth/:provider/callback',
      tag: 'oauth',
      summary: 'Where the provider sends the browser back: checks the state cookie, exchanges the code, checks the ID token, then signs in (Set-Cookie: the session; 303 to return_to, or to a pending step such as the MFA challenge), links, or confirms sudo.',
      responses: { 303: 'Signed in, linked or sudo-fresh: to return_to (or the pending step’s page); refused: to the error page', 400: 'invalid_state', 403: 'email_unverified, account_unavailable, sign_up_disabled', 409: 'account_exists, identity_taken, already_linked', 502: 'provider_error' },
      async handle(c, _body, deps) {
        const provider = param(c)
        const result = await forRequest(api, deps).callback(provider, {
          url: c.req.url,
          cookie: readCookie(cookieName, c.req.header('cookie')),
          ...requestMeta(deps, c),
          previousToken: cookieToken(c, deps),
          trustToken: readCookie(deps.cookies.trustName, c.req.header('cookie')),
        })
        // The state is spent whatever happened: its cookie goes (after the session cookie, which `setSessionCookie` sets afresh).
        const clearState = () => c.header('Set-Cookie', clearedStateCookie(cookieName, secure), { append: true })
        if (!result.ok) {
          clearState()
          return refused(c, deps, provider, result)
        }
        if (result.intent === 'sign_in') {
          setSessionCookie(c, deps, result.token, result.session)
          clearState()
          const step = result.pending[0]
          return redirect(c, step && deps.config.http.pages ? pagePath(deps.config, deps.sigra.sessions.stepRefusal(step).page) : result.returnTo)
        }
        if (result.intent === 'sudo') {
          // Sudo is a privilege change: the session token is renewed, as after a password.
          const renewed = await renewSessionCookie(c, deps)
          clearState()
          if (!renewed) return refused(c, deps, provider, { ok: false, error: 'invalid_session' })
          return redirect(c, result.returnTo)
        }
        clearState()
        return redirect(c, withParam(result.returnTo, 'connected', result.provider))
      },
    }),
    defineRoute({
      method: 'post',
      path: '/oauth/:provider/callback',
      tag: 'oauth',
      csrf: false,
      summary: 'The callback of providers that POST it (`response_mode=form_post`, Apple): 303 to the GET callback with the same fields, so the state cookie (SameSite=Lax) comes along. Changes nothing itself.',
      responses: { 303: 'To the GET callback', 413: 'payload_too_large', 415: 'unsupported_media_type' },
      async handle(c, _body, deps) {
        const read = await readBody(c.req.raw, Math.min(deps.config.http.maxBodyBytes, 64 * 1024))
        if (!read.ok) return failure(c, { error: read.error })
        const query = new URLSearchParams()
        for (const key of ['code', 'state', 'iss', 'error', 'user']) {
          const value = read.body[key]
          if (typeof value === 'string' && value.length <= 4096) query.set(key, value)
        }
        return redirect(c, `${deps.config.basePath}/oauth/${encodeURIComponent(param(c))}/callback?${query}`)
      },
    }),
    defineRoute({
      method: 'get',
      path: '/oauth/identities',
      tag: 'oauth',
      summary: "The current user's connected provider accounts (never provider tokens).",
      auth: true,
      responses: { 200: '`identities`' },
      async handle(c, _body, deps) {
        return ok(c, { identities: await forRequest(api, deps).identities(c.get('current')!.user) })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/oauth/:provider/link',
      tag: 'oauth',
      summary: 'Start connecting a provider to the current account (needs a sudo-fresh session and a confirmed address): `url` to send the browser to, and the state cookie.',
      auth: true,
      body: v.object({ returnTo: v.optional(v.pipe(v.string(), v.maxLength(2048))) }),
      responses: { 200: '`url`; Set-Cookie carries the state binding', 403: 'sudo_required, unconfirmed', 404: 'unknown_provider', 409: 'already_linked' },
      async handle(c, body, deps) {
        const { session } = c.get('current')!
        const result = await forRequest(api, deps).authorizationUrl(param(c), { link: { session }, returnTo: body.returnTo, ip: deps.request.ip ?? null })
        if (!result.ok) return failure(c, result)
        c.header('Set-Cookie', result.setCookie, { append: true })
        return ok(c, { url: result.url, expiresAt: result.expiresAt })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/oauth/:provider/sudo',
      tag: 'oauth',
      summary: 'Start re-authenticating with a provider the current account has connected (asks the provider to authenticate again): after the callback the session is sudo-fresh.',
      auth: true,
      body: v.object({ returnTo: v.optional(v.pipe(v.string(), v.maxLength(2048))) }),
      responses: { 200: '`url`; Set-Cookie carries the state binding', 404: 'unknown_provider', 409: 'not_linked' },
      async handle(c, body, deps) {
        const { session } = c.get('current')!
        const result = await forRequest(api, deps).authorizationUrl(param(c), { sudo: { session }, returnTo: body.returnTo, ip: deps.request.ip ?? null })
        if (!result.ok) return failure(c, result)
        c.header('Set-Cookie', result.setCookie, { append: true })
        return ok(c, { url: result.url, expiresAt: result.expiresAt })
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/oauth/identities/:provider',
      tag: 'oauth',
      summary: 'Disconnect a provider account. Needs a sudo-fresh session; refused when it is the last way to sign in.',
      auth: true,
      responses: { 200: 'Disconnected', 403: 'sudo_required', 404: 'not_found', 409: 'last_method' },
      async handle(c, _body, deps) {
        const { user, session } = c.get('current')!
        const result = await forRequest(api, deps).unlink(user, param(c), { session })
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
  ]
}
