import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import { constantTimeEqual, digest } from '../../kernel/crypto/token.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { toUser, type User } from '../../users/user.ts'
import { toApiToken, type ApiToken } from './api-token.ts'
import { tokensDb, type ApiTokensContext } from './api-tokens-context.ts'
import { parseApiToken } from './token-format.ts'
import './augment.ts'

export type VerifyApiTokenResult = { ok: true; user: User; apiToken: ApiToken } | Failure<'invalid_token' | 'insufficient_scope'>

/**
 * Checks an API token: one primary-key join (token and user), the secret's digest compared in
 * constant time, the expiry, and the account (active, not deleted, not past its deletion date), so a
 * deleted, suspended or "revoke all"-ed account's tokens stop at once. `scopes`: every one must be
 * granted (`insufficient_scope` otherwise). A use after expiry is on record (`authz.denied`,
 * throttled). Last use (time, address) is written at most once per `activityThrottle`.
 */
export async function verifyApiToken(ctx: ApiTokensContext, token: unknown, options: { scopes?: readonly string[]; ip?: string | null } = {}): Promise<VerifyApiTokenResult> {
  const parsed = parseApiToken(ctx.apiTokens.prefix, token)
  if (!parsed) return fail('invalid_token')
  const row = await tokensDb(ctx.db)
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id as token_id', 't.name', 't.secret_digest', 't.scopes', 't.created_at as token_created_at', 't.expires_at', 't.last_used_at', 't.last_used_ip'])
    .selectAll('u')
    .where('t.id', '=', parsed.id)
    .executeTakeFirst()
  if (!row || !constantTimeEqual(row.secret_digest, digest(parsed.secret))) return fail('invalid_token')
  const at = ctx.config.clock()
  if (row.status !== 'active' || row.deleted_at !== null || (row.delete_at !== null && row.delete_at.getTime() <= at.getTime())) return fail('invalid_token')
  if (row.expires_at && row.expires_at.getTime() <= at.getTime()) {
    await auditDenied(ctx, ctx.db, { actorId: row.id, resource: 'api_token', reason: 'expired', operation: 'api.token_use', resourceId: row.token_id })
    return fail('invalid_token')
  }
  const apiToken = toApiToken({
    id: row.token_id, user_id: row.id, name: row.name, secret_digest: row.secret_digest, scopes: row.scopes,
    created_at: row.token_created_at, expires_at: row.expires_at, last_used_at: row.last_used_at, last_used_ip: row.last_used_ip,
  })
  const missing = (options.scopes ?? []).filter((s) => !apiToken.scopes.includes(s))
  if (missing.length) return fail('insufficient_scope')

  const ip = options.ip ?? ctx.request?.ip ?? null
  const stale = new Date(at.getTime() - ctx.config.sessions.activityThrottle * 1000)
  if (!row.last_used_at || row.last_used_at.getTime() <= stale.getTime()) {
    await tokensDb(ctx.db)
      .updateTable('api_tokens')
      .set({ last_used_at: at, last_used_ip: ip?.slice(0, 64) ?? null })
      .where('id', '=', row.token_id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', stale)]))
      .execute()
    apiToken.lastUsedAt = at
    apiToken.lastUsedIp = ip
  }
  const { token_id: _id, name: _name, secret_digest: _digest, scopes: _scopes, token_created_at: _created, expires_at: _expires, last_used_at: _used, last_used_ip: _ip, ...user } = row
  return { ok: true, user: toUser(user), apiToken }
}

