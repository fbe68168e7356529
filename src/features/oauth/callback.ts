import type { Selectable } from 'kysely'
import { isDeletionDue, lockLiveUser } from '../../account/account-guards.ts'
import { link } from '../../auth/links.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { addSeconds } from '../../kernel/clock.ts'
import { digest } from '../../kernel/crypto/token.ts'
import type { Trx } from '../../kernel/db/database.ts'
import type { UserRow } from '../../kernel/db/tables/users.table.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, vetoable, type Failure } from '../../kernel/result.ts'
import { isValidEmail, normalizeEmail } from '../../kernel/validation/email.ts'
import { isStorableText } from '../../kernel/validation/pg-text.ts'
import { safeReturnTo } from '../../http/middleware/safe-return-to.ts'
import type { Session } from '../../sessions/session.ts'
import { parseSessionToken } from '../../sessions/session-token.ts'
import { signIn, type SignInSuccess } from '../../sessions/sign-in.ts'
import { markSudo } from '../../sessions/sudo.ts'
import { findUserByEmail, findUserById, lockAddress } from '../../users/user-repository.ts'
import { toUser, type User } from '../../users/user.ts'
import type { OAuthIdentity } from './augment.ts'
import { defaultReturnTo, liveSession } from './authorize.ts'
import { NonceMismatch, ProviderError, timingSafeStringEqual, type ProviderClient, type TokenSet } from './client.ts'
import { toIdentity } from './identities.ts'
import { oauthDb, type OAuthContext } from './oauth-context.ts'
import type { ProviderProfile } from './providers.ts'
import { resolveAccount, type AccountFacts, type ResolutionRefusal } from './resolve-account.ts'
import { cookieValue, openState, type OAuthState } from './state.ts'
import type { OAuthTables } from './tables.ts'
import './augment.ts'

export interface CallbackInput {
  /** The URL the provider sent the browser back to (its query: `code`, `state`, `iss`, or `error`); for a form post, the posted fields as a query. */
  url: string | URL
  /** The state binding `authorizationUrl` gave: the cookie's value, or the request's whole Cookie header. */
  cookie: unknown
  ip?: string | null
  userAgent?: string | null
  /** The browser's current session token: for sign-in it is ended (a new id at every sign-in); for link and sudo it must be the session that started. */
  previousToken?: string | null
  /** A device-trust token, for the sign-in steps that honour one (MFA's "trust this device"). */
  trustToken?: string | null
}

type Common = { provider: string; returnTo: string }

/** Signed in (or held at a step: `pending`, `mfaRequired`); `created` when this sign-in made the account. */
export type CallbackSignIn = SignInSuccess & Common & { intent: 'sign_in'; created: boolean; identity: OAuthIdentity }
/** The provider account is connected to the signed-in user (`linked: false`: it already was). */
export type CallbackLink = { ok: true; intent: 'link'; user: User; identity: OAuthIdentity; linked: boolean; session?: undefined; token?: undefined; created?: undefined } & Common
/** The session is sudo-fresh (renew its cookie: `sessions.rotate`). */
export type CallbackSudo = { ok: true; intent: 'sudo'; user: User; session: Session; token?: undefined; created?: undefined } & Common

export type CallbackError =
  | 'unknown_provider' | 'invalid_state' | 'provider_error' | 'rate_limited' | 'vetoed' | 'invalid_session'
  | ResolutionRefusal

export type CallbackResult = CallbackSignIn | CallbackLink | CallbackSudo | Failure<CallbackError>

const ERROR_CODES = new Set(['access_denied', 'login_required', 'consent_required', 'interaction_required', 'temporarily_unavailable', 'server_error', 'invalid_scope', 'unauthorized_client'])

type IdentityRow = Selectable<OAuthTables['oauth_identities']>

/** The query and form fields a callback may carry, each bounded. */
function callbackParams(input: string | URL, base: string): Record<string, string> | null {
  let url: URL
  try {
    url = new URL(String(input), base)
  } catch {
    return null
  }
  const params: Record<string, string> = {}
  for (const key of ['code', 'state', 'iss', 'error', 'user']) {
    const value = url.searchParams.get(key)
    if (value !== null && value.length <= 4096 && isStorableText(value)) params[key] = value
  }
  return params
}

function facts(row: UserRow | undefined | null, at: Date): AccountFacts | null {
  if (!row || row.deleted_at !== null) return null
  return { id: row.id, confirmed: row.confirmed_at !== null, usable: row.status === 'active' && !isDeletionDue(row, at) }
}

/**
 * Finishes a sign-in, link or sudo started by `authorizationUrl`. In order: the state binding (the
 * sealed cookie opens, names this provider, has not expired, its `state` equals the returned one,
 * and has not been spent: it is spent now, atomically); the provider's answer (`error`, RFC 9207
 * `iss`); the code exchange with the PKCE verifier; the ID token (signature from the provider's JWKS,
 * issuer, audience, expiry, nonce) and userinfo (same `sub`); then account resolution
 * (`resolveAccount`) in one transaction; and for sign-in, core's `signIn`, so every sign-in step
 * (MFA) applies. Every refusal is audited `oauth.callback_failure` with a stable reason.
 */
export async function callback(ctx: OAuthContext, providerId: unknown, input: CallbackInput): Promise<CallbackResult> {
  const client = typeof providerId === 'string' ? ctx.oauth.clients.get(providerId) : undefined
  if (!client) return fail('unknown_provider')
  const ip = input?.ip ?? ctx.request?.ip ?? null
  const userAgent = input?.userAgent ?? ctx.request?.userAgent ?? null
  if (ip) {
    const verdict = await ctx.limiter.peek('oauthCallbackIp', ip)
    if (!verdict.ok) return fail('rate_limited', { retryAfter: verdict.retryAfter })
  }
  const refuse = async <E extends CallbackError>(error: E, reason: string, userId: string | null = null, db: OAuthContext['db'] | Trx = ctx.db): Promise<Failure<E>> => {
    await writeAudit(ctx, db, { action: 'oauth.callback_failure', outcome: 'failure', userId, actorId: userId, ip, userAgent, metadata: { provider: client.provider.id, error, reason } })
    if (ip && (error === 'invalid_state' || error === 'provider_error')) await ctx.limiter.penalize('oauthCallbackIp', ip)
    return fail(error, { reason })
  }

  const params = callbackParams(input?.url ?? '', ctx.config.baseUrl)
  if (!params) return refuse('invalid_state', 'malformed_url')
  const state = openState(ctx.oauth.stateSealer, cookieValue(ctx.oauth.cookieName, input?.cookie))
  if (!state) return refuse('invalid_state', input?.cookie ? 'unreadable_cookie' : 'missing_cookie')
  if (state.provider !== client.provider.id) return refuse('invalid_state', 'other_provider')
  const at = ctx.config.clock()
  if (state.expiresAt <= at.getTime()) return refuse('invalid_state', 'expired')
  if (!params.state || !timingSafeStringEqual(params.state, state.state)) return refuse('invalid_state', params.state ? 'state_mismatch' : 'missing_state')
  // Link and sudo finish in the browser session that started them.
  if (state.intent !== 'sign_in' && input?.previousToken !== undefined && parseSessionToken(input.previousToken)?.id !== state.sessionId) {
    return refuse('invalid_state', 'other_session', state.userId)
  }
  // Spent once, atomically: of two callbacks with the same state (a copied cookie, a replayed URL) one goes on.
  const spent = await oauthDb(ctx.db)
    .insertInto('oauth_spent_states')
    .values({ digest: digest(`${client.provider.id}:${state.state}`), expires_at: new Date(state.expiresAt) })
    .onConflict((oc) => oc.column('digest').doNothing())
    .returning('digest')
    .executeTakeFirst()
  if (!spent) return refuse('invalid_state', 'reused', state.userId)

  if (params.error) return refuse('provider_error', ERROR_CODES.has(params.error) ? params.error : 'provider_refused', state.userId)
  let read: { profile: ProviderProfile; tokens: TokenSet; issuer: string | null }
  try {
    const meta = await client.metadata()
    // RFC 9207 (mix-up defence): the authorization response names its issuer when the provider says it does.
    if (client.provider.kind === 'oidc' && (params.iss !== undefined || meta.issParameter) && params.iss !== meta.issuer) {
      return refuse('provider_error', 'issuer_mismatch', state.userId)
    }
    if (!params.code) return refuse('provider_error', 'no_code', state.userId)
    const tokens = await client.exchange(params.code, state.verifier)
    const { profile } = await client.readProfile(tokens, { now: at, nonce: state.nonce, callbackParams: params })
    read = { profile, tokens, issuer: meta.issuer }
  } catch (error) {
    if (error instanceof NonceMismatch) return refuse('invalid_state', 'nonce_mismatch', state.userId)
    if (error instanceof ProviderError) return refuse('provider_error', error.reason, state.userId)
    throw error
  }

  if (state.intent === 'sudo') return finishSudo(ctx, client, state, read, { ip, userAgent, refuse })
  if (state.intent === 'link') return finishLink(ctx, client, state, read, { refuse })
  return finishSignIn(ctx, client, state, read, { ip, userAgent, previousToken: input?.previousToken ?? null, trustToken: input?.trustToken ?? null, refuse })
}

type Refuse = <E extends CallbackError>(error: E, reason: string, userId?: string | null, db?: OAuthContext['db'] | Trx) => Promise<Failure<E>>

/** The columns an identity gets from what the provider said now (and the tokens, sealed, when the host keeps them). */
function identityColumns(ctx: OAuthContext, read: { profile: ProviderProfile; tokens: TokenSet }, at: Date) {
  const { profile, tokens } = read
  const text = (value: string | null | undefined, max: number) => (typeof value === 'string' && isStorableText(value) ? value.slice(0, max) : null)
  const keep = ctx.oauth.storeTokens
  const name = text(profile.name, 200)
  const username = text(profile.username ?? null, 100)
  return {
    email: profile.email && isStorableText(profile.email) ? normalizeEmail(profile.email).slice(0, 320) : null,
    email_verified: profile.emailVerified === true,
    // A provider that states the name only once (Apple, at the first sign-in) does not erase it later.
    ...(name !== null ? { name } : {}),
    ...(username !== null ? { username } : {}),
    access_token_sealed: keep ? ctx.oauth.tokenSealer.seal(tokens.accessToken) : null,
    refresh_token_sealed: keep && tokens.refreshToken ? ctx.oauth.tokenSealer.seal(tokens.refreshToken) : null,
    token_expires_at: keep && tokens.expiresIn !== null ? addSeconds(at, tokens.expiresIn) : null,
    token_scope: keep ? text(tokens.scope, 1000) : null,
    last_used_at: at,
  }
}

/** Another transaction took the identity (or gave the account one of this provider) first: this one rolls back. */
class IdentityConflict extends Error {}

async function insertIdentity(ctx: OAuthContext, trx: Trx, userId: string, client: ProviderClient, read: { profile: ProviderProfile; tokens: TokenSet; issuer: string | null }, at: Date): Promise<IdentityRow> {
  const row = await oauthDb(trx)
    .insertInto('oauth_identities')
    .values({ user_id: userId, provider: client.provider.id, subject: read.profile.subject, issuer: read.issuer, created_at: at, ...identityColumns(ctx, read, at) })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()
  if (!row) throw new IdentityConflict()
  return row
}

/** Runs a resolving transaction; a lost race for the identity is `identity_taken` (after the rollback). */
async function resolving<T>(run: () => Promise<T>): Promise<T | Failure<'identity_taken'>> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof IdentityConflict) return fail('identity_taken')
    throw error
  }
}

async function announceLink(ctx: OAuthContext, trx: Trx, owner: UserRow, identity: OAuthIdentity, automatic: boolean, client: ProviderClient): Promise<void> {
  await writeAudit(ctx, trx, { action: 'oauth.link', userId: owner.id, metadata: { provider: client.provider.id, identity_id: identity.id, automatic } })
  await enqueueMail(ctx, trx, { to: owner.email, userId: owner.id, template: 'oauthLinked', data: { provider: client.provider.name, settingsUrl: link(ctx.config, 'settings') } })
  await ctx.events.emit(trx, 'oauthLinked', { user: toUser(owner), identity, automatic }, ctx.request)
}

function nameOf(ctx: OAuthContext) {
  return (provider: string) => ctx.oauth.clients.get(provider)?.provider.name ?? provider
}

async function finishSignIn(
  ctx: OAuthContext,
  client: ProviderClient,
  state: OAuthState,
  read: { profile: ProviderProfile; tokens: TokenSet; issuer: string | null },
  o: { ip: string | null; userAgent: string | null; previousToken: string | null; trustToken: string | null; refuse: Refuse },
): Promise<CallbackResult> {
  const at = ctx.config.clock()
  const { profile } = read
  const address = profile.email && isStorableText(profile.email) ? normalizeEmail(profile.email) : null
  const usableAddress = address && isValidEmail(address) ? address : null
  const outcome = await resolving(() => vetoable(() =>
    ctx.db.transaction().execute(async (trx) => {
      // Every claim on this address (a registration, an email change, another sign-in) waits for this one.
      if (usableAddress) await lockAddress(trx, usableAddress)
      const existing = await oauthDb(trx).selectFrom('oauth_identities').selectAll().where('provider', '=', client.provider.id).where('subject', '=', profile.subject).forUpdate().executeTakeFirst()
      const identityUser = existing ? await findUserById(trx, existing.user_id) : undefined
      const holder = usableAddress ? await findUserByEmail(trx, usableAddress) : undefined
      const holderHasProvider = holder ? (await oauthDb(trx).selectFrom('oauth_identities').select('id').where('user_id', '=', holder.id).where('provider', '=', client.provider.id).executeTakeFirst()) !== undefined : false
      const holderFacts = facts(holder, at)
      const resolution = resolveAccount({
        intent: 'sign_in',
        profile: { email: usableAddress, emailVerified: profile.emailVerified === true },
        identityOwner: existing ? (facts(identityUser, at) ?? { id: existing.user_id, confirmed: false, usable: false }) : null,
        addressOwner: holderFacts ? { ...holderFacts, linkedProvider: holderHasProvider } : null,
        current: null,
        linkByVerifiedEmail: ctx.oauth.linkByVerifiedEmail,
        signUp: ctx.oauth.signUp,
      })
      switch (resolution.action) {
        case 'sign_in': {
          const identity = await oauthDb(trx).updateTable('oauth_identities').set(identityColumns(ctx, read, at)).where('id', '=', existing!.id).returningAll().executeTakeFirstOrThrow()
          return { ok: true as const, user: identityUser!, identity, created: false }
        }
        case 'link_and_sign_in': {
          const owner = (await lockLiveUser(trx, holder))!
          const identity = await insertIdentity(ctx, trx, owner.id, client, read, at)
          await announceLink(ctx, trx, owner, toIdentity(identity, nameOf(ctx)), true, client)
          return { ok: true as const, user: owner, identity, created: false }
        }
        case 'create': {
          // The provider proved the address: a pending email change of another account that named it loses its claim.
          const released = await trx.updateTable('users').set({ pending_email: null, pending_email_expires_at: null }).where('pending_email', '=', usableAddress!).returning('id').execute()
          if (released.length) await trx.deleteFrom('user_tokens').where('context', '=', 'change_email').where('sent_to', '=', usableAddress!).execute()
          const user = await trx
            .insertInto('users')
            .values({ email: usableAddress!, hashed_password: null, confirmed_at: at, custom_fields: JSON.stringify({}), created_at: at, updated_at: at })
            .returningAll()
            .executeTakeFirstOrThrow()
          const identity = await insertIdentity(ctx, trx, user.id, client, read, at)
          await writeAudit(ctx, trx, {
            action: 'auth.register',
            userId: user.id,
            ip: o.ip,
            userAgent: o.userAgent,
            metadata: { method: 'oauth', provider: client.provider.id, ...(released.length ? { released_pending_email_of: released.map((r) => r.id) } : {}) },
          })
          await ctx.events.emit(trx, 'userRegistered', { user: toUser(user) }, ctx.request)
          return { ok: true as const, user, identity, created: true }
        }
        case 'refuse': {
          const userId = existing?.user_id ?? holder?.id ?? null
          await writeAudit(ctx, trx, { action: 'oauth.callback_failure', outcome: 'failure', userId, actorId: null, ip: o.ip, userAgent: o.userAgent, metadata: { provider: client.provider.id, error: resolution.error, reason: resolution.error } })
          return fail(resolution.error)
        }
        default:
          throw new Error(`unexpected resolution ${resolution.action}`)
      }
    }),
  ))
  if (!outcome.ok) return outcome
  const signedIn = await signIn(ctx, {
    user: outcome.user,
    method: 'oauth',
    amr: ['fed'],
    rememberMe: state.rememberMe,
    previousToken: o.previousToken,
    trustToken: o.trustToken,
    ip: o.ip,
    userAgent: o.userAgent,
    auditMetadata: { provider: client.provider.id, identity_id: outcome.identity.id, ...(outcome.created ? { created: true } : {}) },
  })
  if (!signedIn.ok) return signedIn
  return { ...signedIn, intent: 'sign_in', created: outcome.created, identity: toIdentity(outcome.identity, nameOf(ctx)), provider: client.provider.id, returnTo: safeReturnTo(state.returnTo, defaultReturnTo(ctx, 'sign_in')) }
}

async function finishLink(ctx: OAuthContext, client: ProviderClient, state: OAuthState, read: { profile: ProviderProfile; tokens: TokenSet; issuer: string | null }, o: { refuse: Refuse }): Promise<CallbackResult> {
  const at = ctx.config.clock()
  const outcome = await resolving(() => vetoable(() =>
    ctx.db.transaction().execute(async (trx) => {
      const owner = await lockLiveUser(trx, { id: state.userId })
      const live = owner ? await liveSession(ctx, trx, { id: state.sessionId }) : null
      if (!owner || !live?.ok || live.row.user_id !== owner.id) return o.refuse('invalid_session', 'session_ended', state.userId, trx)
      const existing = await oauthDb(trx).selectFrom('oauth_identities').selectAll().where('provider', '=', client.provider.id).where('subject', '=', read.profile.subject).executeTakeFirst()
      const mine = await oauthDb(trx).selectFrom('oauth_identities').select('id').where('user_id', '=', owner.id).where('provider', '=', client.provider.id).executeTakeFirst()
      const ownerFacts = facts(owner, at)!
      const resolution = resolveAccount({
        intent: 'link',
        profile: { email: read.profile.email, emailVerified: read.profile.emailVerified },
        identityOwner: existing ? (facts(await findUserById(trx, existing.user_id), at) ?? { id: existing.user_id, confirmed: false, usable: false }) : null,
        addressOwner: null,
        current: { ...ownerFacts, linkedProvider: mine !== undefined },
        linkByVerifiedEmail: ctx.oauth.linkByVerifiedEmail,
        signUp: ctx.oauth.signUp,
      })
      if (resolution.action === 'refuse') return o.refuse(resolution.error, resolution.error, owner.id, trx)
      if (resolution.action === 'already_linked') {
        const identity = await oauthDb(trx).updateTable('oauth_identities').set(identityColumns(ctx, read, at)).where('id', '=', existing!.id).returningAll().executeTakeFirstOrThrow()
        return { ok: true as const, owner, identity, linked: false }
      }
      const identity = await insertIdentity(ctx, trx, owner.id, client, read, at)
      await announceLink(ctx, trx, owner, toIdentity(identity, nameOf(ctx)), false, client)
      return { ok: true as const, owner, identity, linked: true }
    }),
  ))
  if (!outcome.ok) return outcome
  return {
    ok: true,
    intent: 'link',
    user: toUser(outcome.owner),
    identity: toIdentity(outcome.identity, nameOf(ctx)),
    linked: outcome.linked,
    provider: client.provider.id,
    returnTo: safeReturnTo(state.returnTo, defaultReturnTo(ctx, 'link')),
  }
}

async function finishSudo(
  ctx: OAuthContext,
  client: ProviderClient,
  state: OAuthState,
  read: { profile: ProviderProfile },
  o: { ip: string | null; userAgent: string | null; refuse: Refuse },
): Promise<CallbackResult> {
  const at = ctx.config.clock()
  return ctx.db.transaction().execute(async (trx): Promise<CallbackResult> => {
    const owner = await lockLiveUser(trx, { id: state.userId })
    const live = owner ? await liveSession(ctx, trx, { id: state.sessionId }) : null
    if (!owner || !live?.ok || live.row.user_id !== owner.id) return o.refuse('invalid_session', 'session_ended', state.userId, trx)
    const existing = await oauthDb(trx).selectFrom('oauth_identities').select(['id', 'user_id']).where('provider', '=', client.provider.id).where('subject', '=', read.profile.subject).executeTakeFirst()
    const resolution = resolveAccount({
      intent: 'sudo',
      profile: { email: read.profile.email, emailVerified: read.profile.emailVerified },
      identityOwner: existing ? (facts(await findUserById(trx, existing.user_id), at) ?? { id: existing.user_id, confirmed: false, usable: false }) : null,
      addressOwner: null,
      current: { ...facts(owner, at)!, linkedProvider: true },
      linkByVerifiedEmail: ctx.oauth.linkByVerifiedEmail,
      signUp: ctx.oauth.signUp,
    })
    if (resolution.action !== 'sudo') return o.refuse(resolution.action === 'refuse' ? resolution.error : 'wrong_account', 'sudo_refused', owner.id, trx)
    await oauthDb(trx).updateTable('oauth_identities').set({ last_used_at: at }).where('id', '=', existing!.id).execute()
    const session = await markSudo(ctx, trx, { sessionId: live.row.id, userId: owner.id, method: `oauth:${client.provider.id}` })
    return { ok: true, intent: 'sudo', user: toUser(owner), session, provider: client.provider.id, returnTo: safeReturnTo(state.returnTo, defaultReturnTo(ctx, 'sudo')) }
  })
}
