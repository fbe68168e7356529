import type { SigraContext } from '../kernel/context.ts'

export interface CleanupReport {
  tokens: number
  sessions: number
  mail: number
  /** Login-identifier counters idle for a day and not locked. */
  loginThrottles: number
}

/** Deletes expired or used email tokens, sessions past their absolute or idle end, and old mail. Idempotent. */
export async function cleanupExpired(ctx: SigraContext): Promise<CleanupReport> {
  const at = ctx.config.clock()
  const tokens = await ctx.db
    .deleteFrom('user_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', at), eb('used_at', 'is not', null)]))
    .executeTakeFirst()
  const idleCutoff = new Date(at.getTime() - ctx.config.sessions.idleTimeout * 1000)
  const sessions = await ctx.db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', at), eb.and([eb('remember_me', '=', false), eb('last_active_at', '<=', idleCutoff)])]))
    .executeTakeFirst()
  // Delivered or abandoned mail is kept `retentionDays` (for the dev mailbox and support), then forgotten.
  const mailCutoff = new Date(at.getTime() - ctx.config.mail.retentionDays * 86_400_000)
  const mail = await ctx.db.deleteFrom('mail_outbox').where('status', 'in', ['sent', 'failed']).where('created_at', '<=', mailCutoff).executeTakeFirst()
  const throttleCutoff = new Date(at.getTime() - Math.max(ctx.config.lockout.duration, 86_400) * 1000)
  const throttles = await ctx.db
    .deleteFrom('login_throttles')
    .where('updated_at', '<=', throttleCutoff)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .executeTakeFirst()
  return {
    tokens: Number(tokens.numDeletedRows),
    sessions: Number(sessions.numDeletedRows),
    mail: Number(mail.numDeletedRows),
    loginThrottles: Number(throttles.numDeletedRows),
  }
}
