import { writeAudit } from '../kernel/audit/audit-log.ts'
import { revokeAllSessionsIn } from '../sessions/manage-sessions.ts'
import type { Session } from '../sessions/session.ts'
import type { SigraContext } from '../kernel/context.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { fail, vetoable, type Failure } from '../kernel/result.ts'
import { consumeEmailTokenForUser, issueEmailToken } from '../tokens/email-tokens.ts'
import { throttledRedemption } from '../tokens/throttled-redemption.ts'
import { findUserById } from '../users/user-repository.ts'
import { toUser, type User } from '../users/user.ts'
import { link } from './links.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export type SendConfirmationResult = { ok: true } | Failure<'already_confirmed' | 'not_found' | 'rate_limited'>

/**
 * Mails a fresh confirmation link; earlier links stop working. Throttled twice: at most one mail
 * per `confirmResendInterval` (checked against the last token, with the injected clock) and a
 * `confirmResend` budget per account.
 */
export async function sendConfirmation(ctx: SigraContext, user: Pick<User, 'id'>): Promise<SendConfirmationResult> {
  const row = typeof user?.id === 'string' ? await findUserById(ctx.db, user.id).catch(() => undefined) : undefined
  if (!row || row.deleted_at !== null) return fail('not_found')
  if (row.confirmed_at !== null) return fail('already_confirmed')

  const at = ctx.config.clock()
  const last = await ctx.db
    .selectFrom('user_tokens')
    .select('created_at')
    .where('user_id', '=', row.id)
    .where('context', '=', 'confirm')
    .orderBy('created_at', 'desc')
    .executeTakeFirst()
  const interval = ctx.config.tokens.confirmResendInterval * 1000
  if (last && at.getTime() - last.created_at.getTime() < interval) {
    return fail('rate_limited', { retryAfter: Math.ceil((last.created_at.getTime() + interval - at.getTime()) / 1000) })
  }
  const limited = await ctx.limiter.consume('confirmResend', row.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  await ctx.db.transaction().execute(async (trx) => {
    const token = await issueEmailToken(ctx, trx, { userId: row.id, context: 'confirm', sentTo: row.email, ttlSeconds: ctx.config.tokens.confirmTtl, replace: true })
    await enqueueMail(ctx, trx, {
      to: row.email,
      userId: row.id,
      template: 'confirmEmail',
      data: { url: link(ctx.config, 'confirm', token), expiresInHours: Math.round(ctx.config.tokens.confirmTtl / 3600) },
    })
    await writeAudit(ctx, trx, { action: 'auth.confirmation_sent', userId: row.id })
  })
  return { ok: true }
}

export type ConfirmEmailResult = { ok: true; user: User } | Failure<'invalid_token' | 'vetoed' | 'rate_limited'>

/**
 * Consumes a confirmation token (single use, bound to the address it was sent to) and confirms.
 * Proving the address ends every session the account had before, except the one confirming (when
 * the caller passes its own): whoever registered an address they did not own keeps no session once
 * the owner confirms it (the "unexpired session" pre-hijacking attack).
 */
export async function confirmEmail(ctx: SigraContext, token: unknown, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<ConfirmEmailResult> {
  return throttledRedemption(ctx, null, () => confirm(ctx, token, options))
}

async function confirm(ctx: SigraContext, token: unknown, options: { session?: Pick<Session, 'id'> | null }): Promise<ConfirmEmailResult> {
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<ConfirmEmailResult> => {
      const used = await consumeEmailTokenForUser(ctx, trx, token, 'confirm')
      if (!used) return fail('invalid_token')
      const at = ctx.config.clock()
      const row = await trx
        .updateTable('users')
        .set((eb) => ({ confirmed_at: eb.fn.coalesce('confirmed_at', eb.val(at)), updated_at: at }))
        .where('id', '=', used.user_id)
        .returningAll()
        .executeTakeFirstOrThrow()
      await trx.deleteFrom('user_tokens').where('user_id', '=', row.id).where('context', '=', 'confirm').where('id', '!=', used.id).execute()
      const keep = typeof options.session?.id === 'string' && UUID.test(options.session.id) ? options.session.id : null
      let earlier = trx.selectFrom('sessions').select('id').where('user_id', '=', row.id)
      if (keep) earlier = earlier.where('id', '!=', keep)
      if (await earlier.executeTakeFirst()) await revokeAllSessionsIn(ctx, trx, row.id, { except: keep, reason: 'email_confirmed' })
      const user = toUser(row)
      await writeAudit(ctx, trx, { action: 'auth.email_confirm', userId: user.id, metadata: { method: 'link' } })
      await ctx.events.emit(trx, 'emailConfirmed', { user }, ctx.request)
      return { ok: true, user }
    }),
  )
}
