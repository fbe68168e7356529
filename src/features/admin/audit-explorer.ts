import * as v from 'valibot'
import { toAuditEvent, type AuditEvent } from '../../kernel/audit/audit-query.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { SigraError } from '../../kernel/errors.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { isStorableText } from '../../kernel/validation/pg-text.ts'
import type { AdminContext } from './admin-context.ts'
import { authorise, type Actor } from './authority.ts'
import { openCursor, sealCursor } from './cursor.ts'
import './augment.ts'

const Text = v.pipe(v.string(), v.maxLength(255), v.check(isStorableText))
const Uuid = v.pipe(v.string(), v.uuid())
const Filter = v.object({
  actorId: v.optional(Uuid),
  userId: v.optional(Uuid),
  action: v.optional(Text),
  actionPrefix: v.optional(Text),
  from: v.optional(v.date()),
  to: v.optional(v.date()),
  ip: v.optional(v.pipe(Text, v.maxLength(64))),
  cursor: v.optional(v.string()),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
})
export type AuditExplorerFilter = v.InferInput<typeof Filter>

function query(ctx: AdminContext, f: v.InferOutput<typeof Filter>) {
  let q = ctx.db.selectFrom('audit_events').selectAll()
  if (f.actorId) q = q.where('actor_id', '=', f.actorId)
  if (f.userId) q = q.where('user_id', '=', f.userId)
  if (f.action) q = q.where('action', '=', f.action)
  if (f.actionPrefix) q = q.where('action', 'like', `${f.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
  if (f.from) q = q.where('occurred_at', '>=', f.from)
  if (f.to) q = q.where('occurred_at', '<', f.to)
  if (f.ip) q = q.where('ip', '=', f.ip)
  return q
}

/**
 * The audit explorer (`audit:read`): filters (actor, subject, action or prefix, time range, IP),
 * newest first, keyset pagination with a sealed cursor bound to the filter.
 */
export async function listAudit(ctx: AdminContext, actor: Actor, filter: AuditExplorerFilter = {}): Promise<{ ok: true; events: AuditEvent[]; nextCursor: string | null } | Failure<'forbidden' | 'invalid'>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'audit:read', operation: 'admin.audit_read' })
  if (!auth.ok) return fail('forbidden')
  const parsed = v.safeParse(Filter, filter)
  if (!parsed.success) return fail('invalid', { issues: [{ field: String(v.getDotPath(parsed.issues[0]) ?? 'filter'), code: 'invalid', message: 'This filter is not valid.' }] })
  const { cursor, limit: _l, ...bound } = parsed.output
  const position = openCursor<string>(ctx, bound, cursor)
  if (position === 'invalid') return fail('invalid', { issues: [{ field: 'cursor', code: 'invalid', message: 'This cursor does not belong to this query.' }] })
  const limit = parsed.output.limit ?? 50
  let q = query(ctx, parsed.output)
  if (position) q = q.where('id', '<', position)
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  return { ok: true, events: page.map(toAuditEvent), nextCursor: rows.length > limit ? sealCursor(ctx, bound, String(page.at(-1)!.id)) : null }
}

/** One CSV cell: RFC 4180 quoting, and a leading `'` before anything a spreadsheet would run as a formula. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text
}

export const CSV_HEADER = ['id', 'occurred_at', 'action', 'outcome', 'actor_id', 'actor_type', 'user_id', 'ip', 'user_agent', 'metadata']

/**
 * The filtered audit log as CSV lines (header first, each line ending in `\r\n`), streamed: read in
 * keyset batches of 1,000, so memory stays bounded whatever the size. Formula-safe cells. Needs
 * `audit:read`; the export itself is audited. Iterating throws `SigraError('forbidden')` when refused.
 */
export async function* auditCsv(ctx: AdminContext, actor: Actor, filter: Omit<AuditExplorerFilter, 'cursor' | 'limit'> = {}): AsyncGenerator<string> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'audit:read', operation: 'admin.audit_export' })
  if (!auth.ok) throw new SigraError('forbidden', 'auditCsv: the actor may not read the audit log')
  const parsed = v.safeParse(Filter, filter)
  if (!parsed.success) throw new SigraError('invalid_argument', 'auditCsv: this filter is not valid')
  await writeAudit(ctx, ctx.db, { action: 'admin.audit_export', userId: auth.value.actor?.id ?? null, actorId: auth.value.actor?.id ?? null, actorType: auth.value.actor ? 'admin' : 'system', metadata: { filter: Object.keys(filter) } })
  yield `${CSV_HEADER.join(',')}\r\n`
  let after: string | null = null
  for (;;) {
    let q = query(ctx, parsed.output)
    if (after) q = q.where('id', '>', after)
    const rows = await q.orderBy('id', 'asc').limit(1000).execute()
    for (const r of rows) {
      yield `${[r.id, r.occurred_at, r.action, r.outcome, r.actor_id, r.actor_type, r.user_id, r.ip, r.user_agent, r.metadata].map(csvCell).join(',')}\r\n`
    }
    if (rows.length < 1000) return
    after = String(rows.at(-1)!.id)
  }
}
