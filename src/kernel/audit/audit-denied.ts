import * as v from 'valibot'
import type { SigraContext } from '../context.ts'
import type { Executor } from '../db/database.ts'
import { writeAudit } from './audit-log.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const Word = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_.:-]{0,63}$/))

const DeniedEntry = v.object({
  /** Who was refused. */
  actorId: v.pipe(v.string(), v.regex(UUID)),
  /** Whose resource it was, when known (a session of another user: that user is not named). */
  userId: v.optional(v.nullable(v.pipe(v.string(), v.regex(UUID)))),
  /** What was refused: 'session', 'account', 'route', a feature's resource kind. */
  resource: Word,
  /** Why: 'not_found' (another user's or no such resource), 'sudo_required', a pending step's code, … */
  reason: Word,
  /** The operation asked for ('account.email_change_request', 'POST /auth/sessions/revoke-others'). */
  operation: v.optional(v.pipe(v.string(), v.maxLength(128))),
  resourceId: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
})
export type DeniedEntry = v.InferInput<typeof DeniedEntry>

/**
 * Records a refused action as `authz.denied` (outcome failure): who was refused, what, why, and
 * from where (the request, as every audit row). Throttled per actor (`deniedAudit`), so a flood of
 * refusals cannot fill the log: past the budget, refusals are still refused, only not written.
 * Returns whether a row was written. `db`: the caller's transaction when it holds one (the row then
 * commits with it; on PGlite a second connection would wait for the first), else the handle.
 */
export async function auditDenied(ctx: SigraContext, db: Executor, entry: DeniedEntry): Promise<{ ok: true; recorded: boolean }> {
  const parsed = v.safeParse(DeniedEntry, entry)
  if (!parsed.success) return { ok: true, recorded: false }
  const e = parsed.output
  const budget = await ctx.limiter.consume('deniedAudit', e.actorId)
  if (!budget.ok) return { ok: true, recorded: false }
  await writeAudit(ctx, db, {
    action: 'authz.denied',
    outcome: 'failure',
    actorId: e.actorId,
    actorType: 'user',
    userId: e.userId ?? e.actorId,
    metadata: { resource: e.resource, reason: e.reason, ...(e.operation ? { operation: e.operation } : {}), ...(e.resourceId ? { resource_id: e.resourceId } : {}) },
  })
  return { ok: true, recorded: true }
}

/** `auditDenied` on the instance's handle: the facade's `audit.denied`, for guards and host code. */
export function recordDenied(ctx: SigraContext, entry: DeniedEntry): Promise<{ ok: true; recorded: boolean }> {
  return auditDenied(ctx, ctx.db, entry)
}
