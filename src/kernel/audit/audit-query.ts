import { isStorableText } from '../validation/pg-text.ts'
import * as v from 'valibot'
import type { SigraContext } from '../context.ts'
import type { AuditEventRow, AuditOutcome } from '../db/tables/audit-events.table.ts'
import { SigraError } from '../errors.ts'

export interface AuditEvent {
  id: string
  occurredAt: Date
  action: string
  outcome: AuditOutcome
  actorId: string | null
  actorType: string
  userId: string | null
  ip: string | null
  userAgent: string | null
  metadata: Record<string, unknown>
}

export interface AuditPage {
  /** Newest first. */
  events: AuditEvent[]
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null
}

const ListFilter = v.strictObject({
  userId: v.optional(v.pipe(v.string(), v.uuid())),
  action: v.optional(v.pipe(v.string(), v.maxLength(255), v.check(isStorableText, 'action holds characters PostgreSQL cannot store'))),
  /** Matches every action under a prefix, e.g. 'auth.login.'. */
  actionPrefix: v.optional(v.pipe(v.string(), v.maxLength(255), v.check(isStorableText, 'actionPrefix holds characters PostgreSQL cannot store'))),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,19}$/, 'cursor is malformed'))),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
})
export type AuditFilter = v.InferInput<typeof ListFilter>

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: String(row.id),
    occurredAt: row.occurred_at,
    action: row.action,
    outcome: row.outcome,
    actorId: row.actor_id,
    actorType: row.actor_type,
    userId: row.user_id,
    ip: row.ip,
    userAgent: row.user_agent,
    metadata: row.metadata,
  }
}

/**
 * Keyset pagination on the identity column (newest first). An unknown filter key or a malformed
 * cursor throws `invalid_argument`: silently ignoring a filter on an audit log is a security bug.
 */
export async function listAuditEvents(ctx: SigraContext, filter: AuditFilter = {}): Promise<AuditPage> {
  const parsed = v.safeParse(ListFilter, filter)
  if (!parsed.success) {
    throw new SigraError('invalid_argument', `audit.list: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? 'filter'}: ${i.message}`).join('; ')}`)
  }
  const f = parsed.output
  const limit = f.limit ?? 50
  let query = ctx.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit + 1)
  if (f.userId) query = query.where('user_id', '=', f.userId)
  if (f.action) query = query.where('action', '=', f.action)
  if (f.actionPrefix) query = query.where('action', 'like', `${f.actionPrefix.replace(/[\\%_]/g, '\\$&')}%`)
  if (f.cursor) query = query.where('id', '<', f.cursor)
  const rows = await query.execute()
  const page = rows.slice(0, limit).map(toAuditEvent)
  return { events: page, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null }
}
