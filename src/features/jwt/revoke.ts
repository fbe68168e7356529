import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { jwtDb, type JwtContext } from './jwt-context.ts'
import { findRefreshToken } from './refresh-token.ts'
import './augment.ts'

/**
 * Ends the refresh family of a token (the app signs out): every token of the family stops, and so
 * does every access token it issued, for a verifier that checks revocation. A family that owns its
 * session (token login) ends the session too. Answers `{ ok: true }` whatever the token (RFC 7009):
 * revoking is never an oracle. Any token of the family will do, spent or not. Audited `token.revoke`.
 */
export async function revoke(ctx: JwtContext, refreshToken: unknown): Promise<{ ok: true }> {
  const found = await findRefreshToken(ctx.db, refreshToken)
  if (!found) return { ok: true }
  await ctx.db.transaction().execute(async (trx) => {
    const gone = found.owns_session
      ? await trx.deleteFrom('sessions').where('id', '=', found.session_id).returning('id').executeTakeFirst()
      : await jwtDb(trx).deleteFrom('jwt_refresh_families').where('id', '=', found.family_id).returning('id').executeTakeFirst()
    if (gone) {
      await writeAudit(ctx, trx, { action: 'token.revoke', userId: found.user_id, metadata: { family_id: found.family_id, session_ended: found.owns_session, reason: 'revoke' } })
    }
  })
  return { ok: true }
}

/**
 * Ends every refresh family of a user inside a lifecycle change's transaction (password change,
 * scheduled deletion, deletion), with the sessions that exist only for them. Audited once with the
 * count, when there was anything to end.
 */
export async function endFamiliesOfUser(ctx: JwtContext, trx: Trx, userId: string, reason: string, actorId: string | null = userId): Promise<number> {
  const families = await jwtDb(trx).selectFrom('jwt_refresh_families').select(['id', 'session_id', 'owns_session']).where('user_id', '=', userId).execute()
  if (!families.length) return 0
  const owned = [...new Set(families.filter((f) => f.owns_session).map((f) => f.session_id))]
  if (owned.length) await trx.deleteFrom('sessions').where('id', 'in', owned).where('user_id', '=', userId).execute()
  await jwtDb(trx).deleteFrom('jwt_refresh_families').where('user_id', '=', userId).execute()
  await writeAudit(ctx, trx, { action: 'token.revoke', userId, actorId, metadata: { reason, count: families.length, sessions_ended: owned.length } })
  return families.length
}
