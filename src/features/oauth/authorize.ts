import { addSeconds } from '../../kernel/clock.ts'
import { randomSecret } from '../../kernel/crypto/token.ts'
import type { Executor } from '../../kernel/db/database.ts'
import type { SessionRow } from '../../kernel/db/tables/sessions.table.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { pendingSteps, refusalFor, type PendingStepError } from '../../sessions/sign-in-steps.ts'
import { requireSudoSession } from '../../sessions/sudo.ts'
import { sessionExpiry } from '../../sessions/validate-session.ts'
import { findUserById } from '../../users/user-repository.ts'
import { toUser } from '../../users/user.ts'
import { safeReturnTo } from '../../http/middleware/safe-return-to.ts'
import { ProviderError } from './client.ts'
import { oauthDb, type OAuthContext } from './oauth-context.ts'
import { sealState, stateSetCookie, type OAuthIntent } from './state.ts'
import './augment.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface AuthorizationOptions {
  /** A local path to land on afterwards (`/dashboard?tab=2`); anything else (`//evil`, `https://…`, `javascript:`) is refused. */
  returnTo?: unknown
  /** Connect this provider to the signed-in account of `session` (which must be sudo-fresh) instead of signing in. */
  link?: { session: Pick<Session, 'id'> | null | undefined }
  /** Re-authenticate the signed-in account of `session` with a provider it has connected: the session becomes sudo-fresh. */
  sudo?: { session: Pick<Session, 'id'> | null | undefined }
  /** Make the session a remember-me one (sign-in only). */
  rememberMe?: boolean
  ip?: string | null
}

export type AuthorizationResult =
  | {
      ok: true
      /** Send the browser here (302/303). */
      url: string
      /** The state binding: set it as an HttpOnly cookie (`setCookie` is the whole header) and hand it back to `callback`. */
      cookie: string
      cookieName: string
      /** A ready `Set-Cookie` header value for `cookie` (HttpOnly, SameSite=Lax, Path=/, Max-Age = the state's lifetime). */
      setCookie: string
      expiresAt: Date
    }
  | Failure<'unknown_provider' | 'invalid' | 'rate_limited' | 'provider_error' | 'sudo_required' | 'impersonated' | 'invalid_session' | 'unconfirmed' | 'already_linked' | 'not_linked' | PendingStepError>

/** A live session of a signed-in (not held, not impersonated) user, read afresh; or why not. */
export async function liveSession(ctx: OAuthContext, db: Executor, session: { id?: unknown } | null | undefined): Promise<{ ok: true; row: SessionRow } | Failure<'invalid_session' | 'impersonated' | PendingStepError>> {
  const id = session?.id
  if (typeof id !== 'string' || !UUID.test(id)) return fail('invalid_session')
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row || sessionExpiry(ctx, row, ctx.config.clock())) return fail('invalid_session')
  const user = await findUserById(db, row.user_id)
  if (!user || user.deleted_at !== null) return fail('invalid_session')
  const step = pendingSteps(ctx.pipeline, row.pending_steps, toUser(user))[0]
  if (step) return fail(refusalFor(ctx.pipeline, step).error)
  if (row.impersonator_id) return fail('impersonated')
  return { ok: true, row }
}

/** Where to land when the caller named nowhere: the settings page (the pages' own home), or the site's root without pages. */
export function defaultReturnTo(ctx: OAuthContext, intent: OAuthIntent): string {
  if (!ctx.config.http.pages) return '/'
  return `${ctx.config.pagesPath}/settings${intent === 'sign_in' ? '' : '#linked-accounts'}`
}

/**
 * Starts a sign-in (or a link, or a sudo re-authentication) with a provider: the authorization URL
 * (code flow, PKCE S256, random `state` and OIDC `nonce`) and the state binding, a sealed value the
 * browser keeps in an HttpOnly cookie until the callback. Nothing is written. Linking needs a
 * sudo-fresh session and a confirmed account; sudo needs an identity of this provider on the account.
 */
export async function authorizationUrl(ctx: OAuthContext, providerId: unknown, options: AuthorizationOptions = {}): Promise<AuthorizationResult> {
  const client = typeof providerId === 'string' ? ctx.oauth.clients.get(providerId) : undefined
  if (!client) return fail('unknown_provider')
  const intent: OAuthIntent = options?.link ? 'link' : options?.sudo ? 'sudo' : 'sign_in'
  let returnTo = defaultReturnTo(ctx, intent)
  if (options?.returnTo !== undefined && options.returnTo !== null && options.returnTo !== '') {
    const safe = safeReturnTo(options.returnTo, '')
    if (safe === '') return fail('invalid', { issues: [{ field: 'returnTo', code: 'not_local', message: 'returnTo must be a path on this site.' }] })
    returnTo = safe
  }
  const ip = options?.ip ?? ctx.request?.ip ?? null
  if (ip) {
    const limited = await ctx.limiter.consume('oauthStartIp', ip)
    if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })
  }

  let userId: string | null = null
  let sessionId: string | null = null
  if (intent !== 'sign_in') {
    const session = intent === 'link' ? options.link!.session : options.sudo!.session
    const live = await liveSession(ctx, ctx.db, session)
    if (!live.ok) return live
    const user = await findUserById(ctx.db, live.row.user_id)
    if (!user) return fail('invalid_session')
    const has = await oauthDb(ctx.db).selectFrom('oauth_identities').select('id').where('user_id', '=', user.id).where('provider', '=', client.provider.id).executeTakeFirst()
    if (intent === 'link') {
      if (has) return fail('already_linked')
      if (user.confirmed_at === null) return fail('unconfirmed')
      const sudo = await requireSudoSession(ctx, ctx.db, user.id, session, { operation: 'oauth.link' })
      if (!sudo.ok) return fail(sudo.error)
    } else if (!has) {
      return fail('not_linked')
    }
    userId = user.id
    sessionId = live.row.id
  }

  const at = ctx.config.clock()
  const expiresAt = addSeconds(at, ctx.oauth.stateTtl)
  const state = randomSecret()
  const nonce = randomSecret()
  const verifier = randomSecret(48)
  let url: string
  try {
    url = await client.authorizationUrl({ state, nonce, verifier, ...(intent === 'sudo' && client.provider.reauthenticationParams ? { extra: client.provider.reauthenticationParams } : {}) })
  } catch (error) {
    if (error instanceof ProviderError) return fail('provider_error', { reason: error.reason })
    throw error
  }
  const cookie = sealState(ctx.oauth.stateSealer, {
    provider: client.provider.id,
    state,
    nonce,
    verifier,
    returnTo,
    intent,
    userId,
    sessionId,
    rememberMe: intent === 'sign_in' && options?.rememberMe === true,
    issuedAt: at.getTime(),
    expiresAt: expiresAt.getTime(),
  })
  return {
    ok: true,
    url,
    cookie,
    cookieName: ctx.oauth.cookieName,
    setCookie: stateSetCookie(ctx.oauth.cookieName, cookie, ctx.oauth.stateTtl, ctx.oauth.secureCookies),
    expiresAt,
  }
}
