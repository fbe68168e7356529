import { addSeconds } from '../clock.ts'
import type { SigraContext } from '../context.ts'

export interface DeliveryReport {
  sent: number
  retrying: number
  failed: number
}

/**
 * One pass over due mail. Rows are leased first (SKIP LOCKED, so several workers split the work),
 * sent outside any transaction, then marked. A worker that dies mid-send leaves a lease that
 * runs out, and the message is tried again: delivery is at-least-once.
 */
export async function deliverDueMail(ctx: SigraContext, options: { batchSize?: number; leaseSeconds?: number } = {}): Promise<DeliveryReport> {
  const { mailer, mail: policy, clock, mailFrom } = ctx.config
  const at = clock()
  const leased = await ctx.db
    .updateTable('mail_outbox')
    .set({ leased_until: addSeconds(at, options.leaseSeconds ?? 300) })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('mail_outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', at)
        .where((w) => w.or([w('leased_until', 'is', null), w('leased_until', '<', at)]))
        .orderBy('id')
        .limit(options.batchSize ?? 50)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute()

  const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0 }
  for (const row of leased.sort((a, b) => Number(a.id) - Number(b.id))) {
    const attempts = row.attempts + 1
    try {
      const body = row.sealed_body ? (JSON.parse(ctx.mailSealer.open(row.sealed_body)) as { text: string; html: string }) : null
      if (!body) throw new Error('message body is missing')
      await mailer.send({ from: mailFrom, to: row.to_address, subject: row.subject, text: body.text, html: body.html, messageId: messageIdFor(ctx, row) })
    } catch (error) {
      // A 5xx SMTP reply (no such mailbox, refused) will not change by retrying: give up now.
      const giveUp = attempts >= policy.maxAttempts || isPermanentRefusal(error)
      const delay = policy.backoff[Math.min(attempts - 1, policy.backoff.length - 1)] ?? 60
      const message = error instanceof Error ? error.message : String(error)
      await ctx.db
        .updateTable('mail_outbox')
        .set({
          status: giveUp ? 'failed' : 'pending',
          attempts,
          leased_until: null,
          next_attempt_at: addSeconds(clock(), delay),
          last_error: message.slice(0, 500),
        })
        .where('id', '=', row.id)
        .execute()
      if (giveUp) report.failed++
      else report.retrying++
      continue
    }
    // Sent. If marking it fails (the database went away), the error ends this pass: the row keeps
    // its lease, which runs out, and the message goes again with the same Message-ID (at-least-once).
    await ctx.db
      .updateTable('mail_outbox')
      .set({
        status: 'sent',
        attempts,
        sent_at: clock(),
        leased_until: null,
        last_error: null,
        ...(mailer.keepsBodies ? {} : { sealed_body: null }),
      })
      .where('id', '=', row.id)
      .execute()
    report.sent++
  }
  return report
}

/** Stable per outbox row (and schema), so a message sent twice is recognisably the same message. */
function messageIdFor(ctx: SigraContext, row: { id: string | number; created_at: Date | string }): string {
  const host = new URL(ctx.config.baseUrl).hostname || 'localhost'
  const created = new Date(row.created_at).getTime()
  return `<sigra.${ctx.config.schema}.${row.id}.${created.toString(36)}@${host}>`
}

function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode
  return typeof code === 'number' && code >= 500 && code < 600
}
