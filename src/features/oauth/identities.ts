import type { Selectable } from 'kysely'
import { liveUser, lockLiveUser } from '../../account/account-guards.ts'
import { link } from '../../auth/links.ts'
import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { Executor, Trx } from '../../kernel/db/database.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { requireSudoSession, type SudoRefusal } from '../../sessions/sudo.ts'
import { signInMethodCount } from '../../users/sign-in-methods.ts'
import { toUser, type User } from '../../users/user.ts'
import type { OAuthIdentity } from './augment.ts'
import { oauthDb, type OAuthContext } from './oauth-context.ts'
import type { OAuthTables } from './tables.ts'
import './augment.ts'

type IdentityRow = Selectable<OAuthTables['oauth_identities']>

export function toIdentity(row: IdentityRow, nameOf: (provider: string) => string): OAuthIdentity {
  return {
    id: row.id,
    provider: row.provider,
    providerName: nameOf(row.provider),
    subject: row.subject,
    email: row.email,
    emailVerified: row.email_verified,
    name: row.name,
    username: row.username,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  }
}

const nameIn = (ctx: OAuthContext) => (provider: string) => ctx.oauth.clients.get(provider)?.provider.name ?? provider

/** The providers this instance offers, in order: id and display name (what a sign-in button needs). */
export async function providers(ctx: OAuthContext): Promise<Array<{ id: string; name: string; kind: 'oidc' | 'oauth2' }>> {
  return [...ctx.oauth.clients.values()].map(({ provider: p }) => ({ id: p.id, name: p.name, kind: p.kind }))
}

/** The provider accounts connected to the user, oldest first (never provider tokens). */
export async function identities(ctx: OAuthContext, user: Pick<User, 'id'>): Promise<OAuthIdentity[]> {
  const row = await liveUser(ctx.db, user)
  if (!row) return []
  const rows = await oauthDb(ctx.db).selectFrom('oauth_identities').selectAll().where('user_id', '=', row.id).orderBy('created_at').orderBy('id').execute()
  return rows.map((r) => toIdentity(r, nameIn(ctx)))
}

/**
 * How many ways to sign in the account keeps without `provider`: every way it has (its password,
 * each feature's — passkeys, provider accounts; see `signInMethodCount`), less this one when it still
 * signs in (an identity of a provider no longer configured is no way in, so it was not counted).
 */
async function otherMethods(ctx: OAuthContext, db: Executor, owner: { id: string; hashed_password: string | null }, provider: string): Promise<number> {
  return (await signInMethodCount(ctx, db, owner)) - (ctx.oauth.clients.has(provider) ? 1 : 0)
}

export type UnlinkResult = { ok: true } | Failure<'not_found' | 'last_method' | SudoRefusal>

/**
 * Disconnects a provider account (sudo). Refused with `last_method` when it is the only way left to
 * sign in (no password, no passkey, no other provider account): said before sudo is asked, and
 * decided again under the account's row lock, so two parallel unlinks cannot both pass. The owner is
 * mailed; `oauthUnlinked` fires.
 */
export async function unlink(ctx: OAuthContext, user: Pick<User, 'id'>, providerId: unknown, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<UnlinkResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const provider = typeof providerId === 'string' ? providerId.slice(0, 64) : ''
  const target = provider ? await oauthDb(ctx.db).selectFrom('oauth_identities').select('id').where('user_id', '=', row.id).where('provider', '=', provider).executeTakeFirst() : undefined
  if (!target) {
    await auditDenied(ctx, ctx.db, { actorId: row.id, resource: 'oauth_identity', reason: 'not_found', operation: 'oauth.unlink', ...(provider ? { resourceId: provider } : {}) })
    return fail('not_found')
  }
  if ((await otherMethods(ctx, ctx.db, row, provider)) === 0) {
    await auditDenied(ctx, ctx.db, { actorId: row.id, resource: 'oauth_identity', reason: 'last_method', operation: 'oauth.unlink', resourceId: provider })
    return fail('last_method')
  }
  const check = await requireSudoSession(ctx, ctx.db, row.id, options?.session, { operation: 'oauth.unlink' })
  if (!check.ok) return fail(check.error)
  return ctx.db.transaction().execute(async (trx): Promise<UnlinkResult> => {
    const owner = await lockLiveUser(trx, row)
    if (!owner) return fail('not_found')
    // Decided again under the row lock, in this transaction: a parallel removal of the account's
    // other way in (a passkey, another provider) locks the same row, so one of the two is refused.
    if ((await otherMethods(ctx, trx, owner, provider)) === 0) {
      await auditDenied(ctx, trx, { actorId: owner.id, resource: 'oauth_identity', reason: 'last_method', operation: 'oauth.unlink', resourceId: provider })
      return fail('last_method')
    }
    const gone = await oauthDb(trx).deleteFrom('oauth_identities').where('user_id', '=', owner.id).where('provider', '=', provider).returningAll().executeTakeFirst()
    if (!gone) return fail('not_found')
    const identity = toIdentity(gone, nameIn(ctx))
    await writeAudit(ctx, trx, { action: 'oauth.unlink', userId: owner.id, metadata: { provider, identity_id: gone.id } })
    await enqueueMail(ctx, trx, { to: owner.email, userId: owner.id, template: 'oauthUnlinked', data: { provider: identity.providerName, settingsUrl: link(ctx.config, 'settings') } })
    await ctx.events.emit(trx, 'oauthUnlinked', { user: toUser(owner), identity }, ctx.request)
    return { ok: true }
  })
}

export type ProviderTokensResult =
  | { ok: true; accessToken: string; refreshToken: string | null; expiresAt: Date | null; scope: string | null }
  | Failure<'not_found' | 'not_stored'>

/**
 * The provider's tokens for the user's connected account (to call the provider's API on their
 * behalf), opened from their sealed form. Only with `storeTokens: true`; refreshing them is the host's
 * business (the refresh token is here).
 */
export async function tokens(ctx: OAuthContext, user: Pick<User, 'id'>, providerId: unknown): Promise<ProviderTokensResult> {
  if (!ctx.oauth.storeTokens) return fail('not_stored')
  const row = await liveUser(ctx.db, user)
  if (!row || typeof providerId !== 'string') return fail('not_found')
  const identity = await oauthDb(ctx.db).selectFrom('oauth_identities').selectAll().where('user_id', '=', row.id).where('provider', '=', providerId).executeTakeFirst()
  if (!identity) return fail('not_found')
  if (!identity.access_token_sealed) return fail('not_stored')
  return {
    ok: true,
    accessToken: ctx.oauth.tokenSealer.open(identity.access_token_sealed),
    refreshToken: identity.refresh_token_sealed ? ctx.oauth.tokenSealer.open(identity.refresh_token_sealed) : null,
    expiresAt: identity.token_expires_at,
    scope: identity.token_scope,
  }
}

/** For `userDeleting`: every identity goes with the account, inside the deletion's transaction. */
export async function removeForDeletion(trx: Trx, userId: string): Promise<void> {
  await oauthDb(trx).deleteFrom('oauth_identities').where('user_id', '=', userId).execute()
}

/** The data export's part: each connected provider account (never tokens). */
export async function exportIdentities(ctx: OAuthContext, db: Executor, userId: string) {
  const rows = await oauthDb(db).selectFrom('oauth_identities').selectAll().where('user_id', '=', userId).orderBy('created_at').execute()
  return {
    identities: rows.map((r) => {
      const { id: _id, ...rest } = toIdentity(r, nameIn(ctx))
      return rest
    }),
  }
}

/** The account's ways in through this feature: its identities at providers still configured (for `signInMethodCount`). */
export async function identityCount(ctx: Pick<OAuthContext, 'oauth'>, db: Executor, userId: string): Promise<number> {
  const usable = [...ctx.oauth.clients.keys()]
  if (!usable.length) return 0
  const row = await oauthDb(db).selectFrom('oauth_identities').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('provider', 'in', usable).executeTakeFirst()
  return Number(row?.n ?? 0)
}
