import type { SigraContext } from '../context.ts'
import type { Executor } from '../db/database.ts'
import type { AuditOutcome, NewAuditEventRow } from '../db/tables/audit-events.table.ts'
import { SigraError } from '../errors.ts'
import type { AuditAction } from './audit-actions.ts'
import { metadataProblem } from './audit-metadata.ts'

export interface AuditEntry {
  action: AuditAction
  outcome?: AuditOutcome
  /** Whose account the event is about. */
  userId?: string | null
  /** Who acted; defaults to the user themself. Null with actorType 'system' for sweeps. */
  actorId?: string | null
  actorType?: 'user' | 'admin' | 'system'
  ip?: string | null
  userAgent?: string | null
  metadata?: Record<string, unknown>
}

/**
 * The row for one audit entry, validated: metadata carrying a secret-looking key or over 8 KB is a
 * programming error and throws. For callers that insert it as part of a larger statement.
 *
 * Where from: an entry that names no `ip` / `userAgent` (undefined) records the request the call
 * serves (`ctx.request`, set when the facade is scoped with `withRequest`, as the HTTP handler does
 * for every request). This is the one path request metadata takes into the log.
 */
export function auditRow(ctx: SigraContext, entry: AuditEntry): NewAuditEventRow {
  const metadata = entry.metadata ?? {}
  const problem = metadataProblem(metadata)
  if (problem) throw new SigraError('invalid_audit_metadata', `Audit event ${entry.action}: ${problem}`)
  return {
    occurred_at: ctx.config.clock(),
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    user_id: entry.userId ?? null,
    ...actorOf(ctx, entry),
    ip: (entry.ip !== undefined ? entry.ip : ctx.request?.ip)?.slice(0, 64) ?? null,
    user_agent: (entry.userAgent !== undefined ? entry.userAgent : ctx.request?.userAgent)?.slice(0, 512) ?? null,
    metadata: JSON.stringify(metadata),
  }
}

/**
 * Who acted. An operator acting as the user (impersonation: `ctx.request.actorId`) is the actor of
 * whatever the call writes in the user's name — an entry that names no actor, or names the user
 * themself — so every action during an impersonation carries both ids. An entry naming someone else
 * (an admin call, the system) keeps its own.
 */
function actorOf(ctx: SigraContext, entry: AuditEntry): Pick<NewAuditEventRow, 'actor_id' | 'actor_type'> {
  const operator = ctx.request?.actorId
  const inUsersName = entry.actorId === undefined || (entry.actorId !== null && entry.actorId === entry.userId)
  if (operator && inUsersName && operator !== entry.userId) return { actor_id: operator, actor_type: ctx.request?.actorType ?? 'admin' }
  if (entry.actorId === undefined) return { actor_id: entry.userId ?? null, actor_type: entry.actorType ?? 'user' }
  return { actor_id: entry.actorId, actor_type: entry.actorType ?? (entry.actorId === null ? 'system' : 'user') }
}

/** Writes one audit row on the given executor: pass the transaction of the change so both commit together. */
export async function writeAudit(ctx: SigraContext, executor: Executor, entry: AuditEntry): Promise<void> {
  await executor.insertInto('audit_events').values(auditRow(ctx, entry)).execute()
}
