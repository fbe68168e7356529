import { toAuditEvent, type AuditEvent } from '../kernel/audit/audit-query.ts'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { fail, type Failure } from '../kernel/result.ts'
import type { Session } from '../sessions/session.ts'
import { requireSudoSession } from '../sessions/sudo.ts'
import { listSessions } from '../sessions/manage-sessions.ts'
import { toUser, type User } from '../users/user.ts'
import { liveUser } from './account-guards.ts'
import type { PendingStepError } from '../sessions/sign-in-steps.ts'

/** Everything Sigra holds about one person, secrets excluded (no hashes, digests or mail bodies). */
export interface UserDataExport {
  format: 'sigra.user-export.v1'
  exportedAt: string
  profile: User
  sessions: Array<Pick<Session, 'id' | 'createdAt' | 'lastActiveAt' | 'expiresAt' | 'rememberMe' | 'ip' | 'userAgent' | 'deviceLabel'>>
  emailTokens: Array<{ purpose: string; sentTo: string; createdAt: Date; expiresAt: Date; usedAt: Date | null }>
  mail: Array<{ to: string; subject: string; status: string; createdAt: Date; sentAt: Date | null }>
  auditEvents: AuditEvent[]
  /** Kept for format v1 (always empty): linked sign-in identities are under `features` (the OAuth feature's part). */
  identities: unknown[]
  /** Each enabled feature's part (MFA status, passkeys, API tokens…), by feature name. Never a secret. */
  features: Record<string, unknown>
  /** Whatever the host's `exportUserData` hook returned. */
  app: unknown
}

export type ExportUserDataResult = { ok: true; data: UserDataExport } | Failure<'sudo_required' | 'impersonated' | 'not_found' | PendingStepError>

/** A JSON-ready document of the user's data (GDPR art. 15/20). Needs a sudo-fresh session; audited. */
export async function exportUserData(ctx: SigraContext, user: Pick<User, 'id'>, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<ExportUserDataResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'account.data_export' })
  if (!check.ok) return fail(check.error)
  const session = check.row

  const [sessions, tokens, mail, events] = await Promise.all([
    listSessions(ctx, row.id),
    ctx.db.selectFrom('user_tokens').select(['context', 'sent_to', 'created_at', 'expires_at', 'used_at']).where('user_id', '=', row.id).orderBy('created_at').execute(),
    ctx.db.selectFrom('mail_outbox').select(['to_address', 'subject', 'status', 'created_at', 'sent_at']).where('user_id', '=', row.id).orderBy('id').execute(),
    ctx.db.selectFrom('audit_events').selectAll().where('user_id', '=', row.id).orderBy('id').execute(),
  ])
  const profile = toUser(row)
  const features: Record<string, unknown> = {}
  for (const exporter of ctx.exporters) features[exporter.name] = await exporter.export(profile, ctx.db)
  const data: UserDataExport = {
    format: 'sigra.user-export.v1',
    exportedAt: ctx.config.clock().toISOString(),
    profile,
    sessions: sessions.map((s) => ({ id: s.id, createdAt: s.createdAt, lastActiveAt: s.lastActiveAt, expiresAt: s.expiresAt, rememberMe: s.rememberMe, ip: s.ip, userAgent: s.userAgent, deviceLabel: s.deviceLabel })),
    emailTokens: tokens.map((t) => ({ purpose: t.context, sentTo: t.sent_to, createdAt: t.created_at, expiresAt: t.expires_at, usedAt: t.used_at })),
    mail: mail.map((m) => ({ to: m.to_address, subject: m.subject, status: m.status, createdAt: m.created_at, sentAt: m.sent_at })),
    auditEvents: events.map(toAuditEvent),
    identities: [],
    features,
    app: ctx.config.hooks.exportUserData ? await ctx.config.hooks.exportUserData({ user: profile }) : null,
  }
  await writeAudit(ctx, ctx.db, { action: 'account.data_export', userId: row.id, metadata: { session_id: session.id } })
  return { ok: true, data }
}
