import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { Flag } from '../../http/api/input-schemas.ts'
import { cookieToken } from '../../http/api/session-cookie.ts'
import { readCookie, sessionCookie } from '../../http/cookies.ts'
import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'
import { forRequest, requestMeta } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { PasskeysApi } from './api.ts'
import type { PasskeysContext } from './passkeys-context.ts'

/** A base64url field of a browser's answer (far above any real one; the domain checks the rest). */
const B64 = v.pipe(v.string(), v.maxLength(16384))
/** `PublicKeyCredential.toJSON()`'s shape, loosely: unknown keys are kept and ignored, the domain decodes and checks. */
const CredentialJson = v.looseObject({
  id: v.pipe(v.string(), v.maxLength(1024)),
  rawId: v.pipe(v.string(), v.maxLength(1024)),
  type: v.pipe(v.string(), v.maxLength(32)),
  response: v.looseObject({
    clientDataJSON: B64,
    attestationObject: v.optional(B64),
    authenticatorData: v.optional(B64),
    signature: v.optional(B64),
    userHandle: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(1024)))),
    transports: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(32))), v.maxLength(16))),
  }),
})
const Label = v.pipe(v.string(), v.maxLength(256))

/** The short-lived cookie that binds a ceremony to this browser (HttpOnly, SameSite=Strict). */
function ceremonyCookie(settings: PasskeysContext['passkeys'], value: string | null): string {
  const parts = [`${settings.ceremonyCookie}=${value ?? ''}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${value ? settings.challengeTtl : 0}`]
  if (settings.secureCookies) parts.push('Secure')
  return parts.join('; ')
}

const ceremonyOf = (c: HttpContext, settings: PasskeysContext['passkeys']) => readCookie(settings.ceremonyCookie, c.req.header('cookie'))

/**
 * The passkeys feature's JSON routes under `basePath`, each with its OpenAPI description: both
 * ceremonies (options, then the browser's answer), the list, rename and delete, sudo with a
 * passkey, and (with the `mfa` feature) the passkey at the MFA challenge.
 */
export function passkeyRoutes(api: PasskeysApi, settings: PasskeysContext['passkeys']): ApiRoute[] {
  const passkeys = (deps: HttpDeps) => forRequest(api, deps)
  const routes: ApiRoute[] = [
    defineRoute({
      method: 'post',
      path: '/passkeys/registration/options',
      tag: 'passkeys',
      summary: 'Start registering a passkey: the options for navigator.credentials.create() (this RP, a challenge bound to this session for 5 minutes, the existing passkeys excluded). Needs a sudo-fresh session when the account can already sign in another way.',
      auth: true,
      responses: { 200: 'options: PublicKeyCredentialCreationOptionsJSON', 403: 'sudo_required' },
      async handle(c, _body, deps) {
        const { user, session } = c.get('current')!
        const result = await passkeys(deps).registrationOptions(user, { session })
        return result.ok ? ok(c, { options: result.options, expiresAt: result.expiresAt }) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/passkeys/registration',
      tag: 'passkeys',
      summary: "Finish registering: the browser's answer (PublicKeyCredential as JSON) for this session's ceremony, and an optional label (default: the authenticator's name from its AAGUID).",
      auth: true,
      body: v.object({ response: CredentialJson, label: v.optional(Label) }),
      responses: { 201: 'passkey: the new passkey', 400: 'invalid (malformed, wrong origin or RP, replayed or foreign challenge, no user verification)', 410: 'challenge_expired' },
      async handle(c, body, deps) {
        const { user, session } = c.get('current')!
        const result = await passkeys(deps).verifyRegistration(user, body.response, { session, label: body.label })
        return result.ok ? ok(c, { passkey: result.passkey }, 201) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/passkeys/authentication/options',
      tag: 'passkeys',
      summary: 'Start a passkey sign-in: the options for navigator.credentials.get() (discoverable without a login; with one, that account\'s passkeys, and the same shape for an unknown login). Sets the short-lived ceremony cookie.',
      body: v.object({ login: v.optional(v.pipe(v.string(), v.maxLength(320))) }),
      responses: { 200: 'options: PublicKeyCredentialRequestOptionsJSON; Set-Cookie carries the ceremony' },
      async handle(c, body, deps) {
        const result = await passkeys(deps).authenticationOptions(body.login !== undefined ? { login: body.login } : {})
        if (!result.ok) return failure(c, result)
        c.header('Set-Cookie', ceremonyCookie(settings, result.ceremony))
        return ok(c, { options: result.options, expiresAt: result.expiresAt })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/passkeys/authentication',
      tag: 'passkeys',
      summary: "Sign in with a passkey: the browser's answer for the ceremony in the cookie. Like /login: sets the session cookie (a new session every time); `pending` names a sign-in step still to pass (mfa_required without user verification).",
      body: v.object({ response: CredentialJson, rememberMe: Flag }),
      responses: { 200: 'Signed in (or held at a step: pending); Set-Cookie carries the session', 400: 'invalid (a malformed answer)', 401: 'invalid_credentials', 403: 'unconfirmed', 422: 'vetoed' },
      async handle(c, body, deps) {
        const ceremony = ceremonyOf(c, settings)
        c.header('Set-Cookie', ceremonyCookie(settings, null))
        const result = await passkeys(deps).verifyAuthentication(body.response, {
          ceremony,
          ...requestMeta(deps, c),
          rememberMe: body.rememberMe === true,
          previousToken: cookieToken(c, deps),
          trustToken: readCookie(deps.cookies.trustName, c.req.header('cookie')),
        })
        if (!result.ok) return failure(c, result)
        c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session), { append: true })
        return ok(c, { user: result.user, session: result.session, pending: result.pending })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/passkeys/sudo/options',
      tag: 'passkeys',
      summary: 'Start confirming it is you with a passkey (sudo, e.g. for an account without a password): options with this user\'s passkeys; sets the ceremony cookie.',
      auth: true,
      responses: { 200: 'options; Set-Cookie carries the ceremony', 409: 'no_passkey' },
      async handle(c, _body, deps) {
        const result = await passkeys(deps).sudoOptions(cookieToken(c, deps))
        if (!result.ok) return failure(c, result)
        c.header('Set-Cookie', ceremonyCookie(settings, result.ceremony))
        return ok(c, { options: result.options, expiresAt: result.expiresAt })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/passkeys/sudo',
      tag: 'passkeys',
      summary: "Confirm it is you with a passkey: the browser's answer for the ceremony in the cookie. The session becomes sudo-fresh and its token is renewed.",
      auth: true,
      body: v.object({ response: CredentialJson }),
      responses: { 200: 'Sudo-fresh; Set-Cookie carries the renewed session', 400: 'invalid', 401: 'invalid_credentials' },
      async handle(c, body, deps) {
        const ceremony = ceremonyOf(c, settings)
        const result = await passkeys(deps).confirmSudo(cookieToken(c, deps), body.response, { ceremony })
        if (!result.ok) {
          c.header('Set-Cookie', ceremonyCookie(settings, null))
          return failure(c, result)
        }
        const renewed = await renewSessionCookie(c, deps)
        c.header('Set-Cookie', ceremonyCookie(settings, null), { append: true })
        return renewed ? ok(c, { session: renewed, sudo: true }) : failure(c, { error: 'invalid_session' })
      },
    }),
    defineRoute({
      method: 'get',
      path: '/passkeys',
      tag: 'passkeys',
      summary: "The current user's passkeys: label, authenticator (AAGUID), transports, synced or not, created, last used.",
      auth: true,
      responses: { 200: 'passkeys' },
      async handle(c, _body, deps) {
        return ok(c, { passkeys: await passkeys(deps).list(c.get('current')!.user) })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/passkeys/:id/label',
      tag: 'passkeys',
      summary: 'Rename one of your passkeys.',
      auth: true,
      body: v.object({ label: Label }),
      responses: { 200: 'passkey: renamed', 404: 'not_found (also another user\'s passkey)' },
      async handle(c, body, deps) {
        const result = await passkeys(deps).rename(c.get('current')!.user, c.req.param('id') ?? '', body.label)
        return result.ok ? ok(c, { passkey: result.passkey }) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/passkeys/:id',
      tag: 'passkeys',
      summary: 'Remove one of your passkeys. Needs a sudo-fresh session; refused when it is the only way left to sign in (no password, no other passkey).',
      auth: true,
      responses: { 200: 'Removed', 403: 'sudo_required', 404: 'not_found (also another user\'s passkey)', 409: 'last_method' },
      async handle(c, _body, deps) {
        const { user, session } = c.get('current')!
        const result = await passkeys(deps).remove(user, c.req.param('id') ?? '', { session })
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
  ]
  if (settings.mfa) {
    routes.push(
      defineRoute({
        method: 'post',
        path: '/passkeys/second-factor/options',
        tag: 'passkeys',
        summary: 'At the MFA challenge: options for a passkey as the second factor (the held session\'s user\'s passkeys); sets the ceremony cookie.',
        auth: true,
        step: 'mfa',
        responses: { 200: 'options; Set-Cookie carries the ceremony', 401: 'invalid_session', 409: 'no_passkey or second_factor_unavailable (the first factor was a passkey)' },
        async handle(c, _body, deps) {
          const result = await passkeys(deps).secondFactorOptions(cookieToken(c, deps))
          if (!result.ok) return failure(c, result)
          c.header('Set-Cookie', ceremonyCookie(settings, result.ceremony))
          return ok(c, { options: result.options, expiresAt: result.expiresAt })
        },
      }),
      defineRoute({
        method: 'post',
        path: '/passkeys/second-factor',
        tag: 'passkeys',
        summary: "The MFA challenge passed with a passkey: the browser's answer for the ceremony in the cookie. The session cookie is renewed: signed in.",
        auth: true,
        step: 'mfa',
        body: v.object({ response: CredentialJson }),
        responses: { 200: 'Signed in; Set-Cookie carries the renewed session', 400: 'invalid', 401: 'invalid_credentials or invalid_session' },
        async handle(c, body, deps) {
          const ceremony = ceremonyOf(c, settings)
          c.header('Set-Cookie', ceremonyCookie(settings, null))
          const result = await passkeys(deps).verifySecondFactor(cookieToken(c, deps), body.response, { ceremony })
          if (!result.ok) return failure(c, result)
          c.header('Set-Cookie', sessionCookie(deps.cookies, result.token, result.session), { append: true })
          return ok(c, { session: result.session })
        },
      }),
    )
  }
  return routes
}
