import * as v from 'valibot'
import type { SigraContext } from '../context.ts'
import { invalid, type Failure } from '../result.ts'
import { parseInput } from '../validation/parse-input.ts'
import { ACTION_SHAPE, RESERVED_PREFIXES } from './audit-actions.ts'
import { metadataProblem } from './audit-metadata.ts'

const hostEntry = (reserved: readonly string[]) => v.object({
  action: v.pipe(
    v.string(),
    v.regex(ACTION_SHAPE, 'Action must look like "billing.plan_change".'),
    v.check((a) => !reserved.some((p) => a.startsWith(p)), `Actions under ${reserved.join(' ')} are reserved for Sigra and its features.`),
  ),
  outcome: v.optional(v.picklist(['success', 'failure'])),
  userId: v.optional(v.nullable(v.pipe(v.string(), v.uuid()))),
  actorId: v.optional(v.nullable(v.pipe(v.string(), v.uuid()))),
  ip: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  userAgent: v.optional(v.nullable(v.string())),
  metadata: v.optional(v.record(v.string(), v.unknown())),
})
export type HostAuditEntry = v.InferInput<ReturnType<typeof hostEntry>>

/** The host's own audit events, in the same log, under its own action names. */
export async function logHostEvent(ctx: SigraContext, entry: HostAuditEntry): Promise<{ ok: true } | Failure<'invalid'>> {
  const parsed = parseInput(hostEntry([...RESERVED_PREFIXES, ...ctx.auditPrefixes.map((p) => `${p}.`)]), entry)
  if (!parsed.ok) return parsed
  const e = parsed.value
  const problem = metadataProblem(e.metadata ?? {})
  if (problem) return invalid([{ field: 'metadata', code: 'refused', message: problem }])
  await ctx.db
    .insertInto('audit_events')
    .values({
      occurred_at: ctx.config.clock(),
      action: e.action,
      outcome: e.outcome ?? 'success',
      user_id: e.userId ?? null,
      actor_id: e.actorId === undefined ? (e.userId ?? null) : e.actorId,
      actor_type: e.actorId === null ? 'system' : 'user',
      ip: e.ip ?? null,
      user_agent: e.userAgent?.slice(0, 512) ?? null,
      metadata: JSON.stringify(e.metadata ?? {}),
    })
    .execute()
  return { ok: true }
}
