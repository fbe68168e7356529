import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { constantTimeEqual, digest, randomSecret } from '../kernel/crypto/token.ts'
import { fail, type Failure } from '../kernel/result.ts'
import type { Session } from './session.ts'
import { toSession } from './session.ts'
import { formatSessionToken, parseSessionToken } from './session-token.ts'
import { sessionExpiry } from './validate-session.ts'

export type EndImpersonationResult =
  | {
      ok: true
      /** The operator's own session again, under a renewed token; null when it ended meanwhile (log in again). */
      token: string | null
      session: Session | null
    }
  | Failure<'invalid_session' | 'not_impersonating'>

/**
 * Ends an impersonation (a session an operator opened as another user): that session is deleted,
 * and the operator's own session, when it is still live, is handed back under a renewed token.
 * Audited as `session.impersonation_end`, the operator as actor. Starting one belongs to the admin
 * feature (it decides who may); ending one needs nothing but the session itself.
 */
export async function endImpersonation(ctx: SigraContext, token: unknown): Promise<EndImpersonationResult> {
  const parsed = parseSessionToken(token)
  if (!parsed) return fail('invalid_session')
  return ctx.db.transaction().execute(async (trx): Promise<EndImpersonationResult> => {
    const row = await trx.selectFrom('sessions').selectAll().where('id', '=', parsed.id).forUpdate().executeTakeFirst()
    if (!row || !constantTimeEqual(row.secret_digest, digest(parsed.secret))) return fail('invalid_session')
    if (!row.impersonator_id) return fail('not_impersonating')
    await trx.deleteFrom('sessions').where('id', '=', row.id).execute()
    const at = ctx.config.clock()
    let handedBack: { token: string; session: Session } | null = null
    if (row.impersonator_session_id) {
      const secret = randomSecret()
      const own = await trx
        .updateTable('sessions')
        .set({ secret_digest: digest(secret), last_active_at: at })
        .where('id', '=', row.impersonator_session_id)
        .where('user_id', '=', row.impersonator_id)
        .where('impersonator_id', 'is', null)
        .returningAll()
        .executeTakeFirst()
      if (own && !sessionExpiry(ctx, own, at)) handedBack = { token: formatSessionToken(own.id, secret), session: toSession(own, ctx.config.sessions.idleTimeout) }
    }
    await writeAudit(ctx, trx, {
      action: 'session.impersonation_end',
      userId: row.user_id,
      actorId: row.impersonator_id,
      actorType: 'admin',
      metadata: { session_id: row.id, ...(handedBack ? { operator_session_id: handedBack.session.id } : {}) },
    })
    return { ok: true, token: handedBack?.token ?? null, session: handedBack?.session ?? null }
  })
}
