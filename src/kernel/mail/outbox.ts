import { isStorableText } from '../validation/pg-text.ts'
import type { SigraContext } from '../context.ts'
import type { Executor } from '../db/database.ts'
import type { MailStatus } from '../db/tables/mail-outbox.table.ts'
import type { MailContent, MailTemplates, TemplateName } from './templates.ts'

type TemplateData<N extends TemplateName> = Omit<Parameters<MailTemplates[N]>[0], 'appName' | 'email' | 'baseUrl'>

/**
 * Writes a message to the outbox inside the caller's transaction: it is sent if and only if the
 * change that caused it commits. The body is sealed (it may carry a single-use link).
 */
export async function enqueueMail<N extends TemplateName>(
  ctx: SigraContext,
  trx: Executor,
  mail: { to: string; userId: string | null; template: N; data: TemplateData<N> },
): Promise<void> {
  const render = ctx.templates[mail.template] as (d: unknown) => MailContent
  const content = render({ ...mail.data, appName: ctx.config.appName, email: mail.to, baseUrl: ctx.config.baseUrl })
  const at = ctx.config.clock()
  await trx
    .insertInto('mail_outbox')
    .values({
      user_id: mail.userId,
      template: mail.template,
      to_address: mail.to,
      subject: content.subject,
      sealed_body: ctx.mailSealer.seal(JSON.stringify({ text: content.text, html: content.html })),
      next_attempt_at: at,
      created_at: at,
    })
    .execute()
}

export interface OutboxMessage {
  id: string
  to: string
  subject: string
  /** Empty once a real transport delivered it (bodies are dropped after delivery). */
  text: string
  html: string
  template: string
  status: MailStatus
  attempts: number
  createdAt: Date
  sentAt: Date | null
}

/** The outbox, oldest first (newest last): the dev mailbox and tests read it. */
export async function listOutbox(ctx: SigraContext, filter: { to?: string; limit?: number } = {}): Promise<OutboxMessage[]> {
  let query = ctx.db.selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(Math.min(Math.max(filter.limit ?? 200, 1), 1000))
  if (filter.to !== undefined) {
    // No address holds a NUL or a lone surrogate: nothing to find, and nothing to send to SQL.
    if (typeof filter.to !== 'string' || !isStorableText(filter.to)) return []
    query = query.where('to_address', '=', filter.to.trim().toLowerCase())
  }
  const rows = await query.execute()
  return rows.reverse().map((row) => {
    const body = row.sealed_body ? (JSON.parse(ctx.mailSealer.open(row.sealed_body)) as { text: string; html: string }) : { text: '', html: '' }
    return {
      id: String(row.id),
      to: row.to_address,
      subject: row.subject,
      text: body.text,
      html: body.html,
      template: row.template,
      status: row.status,
      attempts: row.attempts,
      createdAt: row.created_at,
      sentAt: row.sent_at,
    }
  })
}
