import { auditDenied } from '../kernel/audit/audit-denied.ts'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import type { Trx } from '../kernel/db/database.ts'
import { fail } from '../kernel/result.ts'
import { toSession, type Session } from './session.ts'
import { sessionExpiry } from './validate-session.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The user's live sessions, most recently active first (expired ones are left out). */
export async function listSessions(ctx: SigraContext, userId: string): Promise<Session[]> {
  if (!UUID.test(String(userId))) return []
  const rows = await ctx.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('last_active_at', 'desc').execute()
  const at = ctx.config.clock()
  return rows.filter((row) => !sessionExpiry(ctx, row, at)).map((row) => toSession(row, ctx.config.sessions.idleTimeout))
}

export type RevokeResult = { ok: true } | { ok: false; error: 'not_found' }

/** Ends one session of this user (scoped: a user can never end someone else's). */
export async function revokeSession(ctx: SigraContext, userId: string, sessionId: string, meta: { actorId?: string | null } = {}): Promise<RevokeResult> {
  if (!UUID.test(String(userId)) || !UUID.test(String(sessionId))) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', userId).returning('id').executeTakeFirst()
    if (!gone) {
      // Another user's session, or none: the same answer, and the attempt is on record.
      await auditDenied(ctx, trx, { actorId: meta.actorId ?? userId, resource: 'session', reason: 'not_found', operation: 'session.revoke', resourceId: sessionId })
      return fail('not_found')
    }
    await writeAudit(ctx, trx, { action: 'session.revoke', userId, actorId: meta.actorId ?? userId, metadata: { session_id: sessionId } })
    return { ok: true } as const
  })
}

/** Ends every session of the user inside `trx`, except one if given; writes `session.revoke_all`. */
export async function revokeAllSessionsIn(
  ctx: SigraContext,
  trx: Trx,
  userId: string,
  options: { except?: string | null; reason: string; actorId?: string | null },
): Promise<number> {
  let query = trx.deleteFrom('sessions').where('user_id', '=', userId)
  if (options.except) query = query.where('id', '!=', options.except)
  const deleted = await query.returning('id').execute()
  await writeAudit(ctx, trx, {
    action: 'session.revoke_all',
    userId,
    actorId: options.actorId === undefined ? userId : options.actorId,
    metadata: { count: deleted.length, reason: options.reason, ...(options.except ? { kept_session_id: options.except } : {}) },
  })
  await ctx.events.emit(trx, 'sessionsRevoked', { userId, reason: options.reason, count: deleted.length }, ctx.request)
  return deleted.length
}

export async function revokeAllSessions(ctx: SigraContext, userId: string, options: { except?: string } = {}): Promise<{ ok: true; count: number }> {
  if (!UUID.test(String(userId)) || (options.except !== undefined && !UUID.test(String(options.except)))) return { ok: true, count: 0 }
  const count = await ctx.db.transaction().execute((trx) => revokeAllSessionsIn(ctx, trx, userId, { except: options.except ?? null, reason: 'revoke_all' }))
  return { ok: true, count }
}
