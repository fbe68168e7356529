import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { constantTimeEqual, digest } from '../kernel/crypto/token.ts'
import { parseSessionToken } from '../sessions/session-token.ts'

/** Ends the session this token belongs to. Idempotent: an unknown or malformed token is a no-op. */
export async function logOut(ctx: SigraContext, token: unknown): Promise<{ ok: true }> {
  const parsed = parseSessionToken(token)
  if (!parsed) return { ok: true }
  await ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('sessions').select(['id', 'user_id', 'secret_digest']).where('id', '=', parsed.id).forUpdate().executeTakeFirst()
    if (!row || !constantTimeEqual(row.secret_digest, digest(parsed.secret))) return
    await trx.deleteFrom('sessions').where('id', '=', row.id).execute()
    await writeAudit(ctx, trx, { action: 'auth.logout', userId: row.user_id, metadata: { session_id: row.id } })
  })
  return { ok: true }
}
