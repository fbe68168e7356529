import * as v from 'valibot'
import { liveUser } from '../../account/account-guards.ts'
import { link } from '../../auth/links.ts'
import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { addSeconds } from '../../kernel/clock.ts'
import { digest, randomSecret } from '../../kernel/crypto/token.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, invalid, type Failure } from '../../kernel/result.ts'
import { parseInput } from '../../kernel/validation/parse-input.ts'
import type { Session } from '../../sessions/session.ts'
import type { PendingStepError } from '../../sessions/sign-in-steps.ts'
import { requireSudoSession } from '../../sessions/sudo.ts'
import type { User } from '../../users/user.ts'
import { toApiToken, type ApiToken } from './api-token.ts'
import { tokensDb, type ApiTokensContext } from './api-tokens-context.ts'
import { formatApiToken } from './token-format.ts'
import './augment.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const CreateInput = v.object({
  name: v.pipe(v.string('Give the token a name.'), v.trim(), v.nonEmpty('Give the token a name.'), v.maxLength(100, 'The name is too long.')),
  scopes: v.pipe(v.array(v.pipe(v.string(), v.maxLength(64)), 'Scopes must be a list.'), v.maxLength(64, 'Too many scopes.')),
  expiresInDays: v.optional(v.nullable(v.pipe(v.number('Expiry must be a number of days.'), v.integer('Expiry must be whole days.'), v.minValue(1, 'Expiry must be at least a day.'), v.maxValue(3650, 'Expiry must be at most ten years.')))),
})

export type CreateApiTokenResult =
  | { ok: true; token: string; apiToken: ApiToken }
  | Failure<'invalid' | 'sudo_required' | 'impersonated' | 'not_found' | 'too_many_tokens' | PendingStepError>

/**
 * A new personal access token (sudo): a name, scopes from the host's registry (unknown ones are
 * refused), an expiry (the default when none is given; "never" only when the host allows it). The
 * token exists only in this answer; the row keeps its digest. Audited; the user is mailed.
 */
export async function createApiToken(
  ctx: ApiTokensContext,
  user: Pick<User, 'id'>,
  input: { name: unknown; scopes: unknown; expiresInDays?: unknown },
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<CreateApiTokenResult> {
  const parsed = parseInput(CreateInput, input)
  if (!parsed.ok) return parsed
  const { name, scopes, expiresInDays } = parsed.value
  const unknown = scopes.filter((s) => !Object.hasOwn(ctx.apiTokens.scopes, s))
  if (unknown.length) return invalid([{ field: 'scopes', code: 'unknown_scope', message: `Unknown scope${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.` }])
  if (scopes.length === 0) return invalid([{ field: 'scopes', code: 'required', message: 'Choose at least one scope.' }])
  if (expiresInDays === null && !ctx.apiTokens.allowNoExpiry) return invalid([{ field: 'expiresInDays', code: 'required', message: 'Tokens must expire: choose a number of days.' }])
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'api.token_create' })
  if (!check.ok) return fail(check.error)

  const at = ctx.config.clock()
  const days = expiresInDays === undefined ? ctx.apiTokens.defaultTtlDays : expiresInDays
  const expiresAt = days === null ? null : addSeconds(at, days * 86_400)
  const secret = randomSecret()
  return ctx.db.transaction().execute(async (trx): Promise<CreateApiTokenResult> => {
    const live = await tokensDb(trx).selectFrom('api_tokens').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', row.id)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)])).executeTakeFirst()
    if (Number(live?.n ?? 0) >= ctx.apiTokens.maxPerUser) return fail('too_many_tokens')
    const created = await tokensDb(trx)
      .insertInto('api_tokens')
      .values({ user_id: row.id, name, secret_digest: digest(secret), scopes: [...new Set(scopes)].sort(), created_at: at, expires_at: expiresAt, last_used_at: null, last_used_ip: null })
      .returningAll()
      .executeTakeFirstOrThrow()
    const apiToken = toApiToken(created)
    await writeAudit(ctx, trx, { action: 'api.token_create', userId: row.id, metadata: { pat_id: created.id, scopes: apiToken.scopes, expires_at: expiresAt?.toISOString() ?? null } })
    await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'apiTokenCreated', data: { name, scopes: apiToken.scopes, expiresAt, settingsUrl: link(ctx.config, 'settings') } })
    return { ok: true, token: formatApiToken(ctx.apiTokens.prefix, created.id, secret), apiToken }
  })
}

/** The user's tokens that still work, newest first (never their secrets). */
export async function listApiTokens(ctx: ApiTokensContext, user: Pick<User, 'id'>): Promise<ApiToken[]> {
  if (typeof user?.id !== 'string' || !UUID.test(user.id)) return []
  const rows = await tokensDb(ctx.db)
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', user.id)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', ctx.config.clock())]))
    .orderBy('created_at', 'desc')
    .execute()
  return rows.map(toApiToken)
}

/** Revokes one token of this user (sudo); another user's id is `not_found`, and on record. */
export async function revokeApiToken(
  ctx: ApiTokensContext,
  user: Pick<User, 'id'>,
  id: unknown,
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<{ ok: true } | Failure<'not_found' | 'sudo_required' | 'impersonated' | PendingStepError>> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'api.token_revoke' })
  if (!check.ok) return fail(check.error)
  if (typeof id !== 'string' || !UUID.test(id)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    const gone = await tokensDb(trx).deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', row.id).returning('id').executeTakeFirst()
    if (!gone) {
      await auditDenied(ctx, trx, { actorId: row.id, resource: 'api_token', reason: 'not_found', operation: 'api.token_revoke', resourceId: id })
      return fail('not_found')
    }
    await writeAudit(ctx, trx, { action: 'api.token_revoke', userId: row.id, metadata: { pat_id: id } })
    return { ok: true as const }
  })
}

/** Ends every token of a user inside `trx` (revoke all, deletion, suspension); audited when any went. */
export async function endAllApiTokens(ctx: ApiTokensContext, trx: Trx, userId: string, reason: string): Promise<number> {
  const gone = await tokensDb(trx).deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst()
  const count = Number(gone.numDeletedRows)
  if (count > 0) await writeAudit(ctx, trx, { action: 'api.token_revoke_all', userId, metadata: { count, reason } })
  return count
}

/** Revokes every token of this user (sudo). */
export async function revokeAllApiTokens(
  ctx: ApiTokensContext,
  user: Pick<User, 'id'>,
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<{ ok: true; count: number } | Failure<'not_found' | 'sudo_required' | 'impersonated' | PendingStepError>> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'api.token_revoke_all' })
  if (!check.ok) return fail(check.error)
  const count = await ctx.db.transaction().execute((trx) => endAllApiTokens(ctx, trx, row.id, 'revoke_all'))
  return { ok: true, count }
}
