import * as v from 'valibot'
import { link } from '../auth/links.ts'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import { addSeconds } from '../kernel/clock.ts'
import type { SigraContext } from '../kernel/context.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { fail, vetoable, type Failure } from '../kernel/result.ts'
import { isValidEmail, normalizeEmail } from '../kernel/validation/email.ts'
import { EMAIL_INPUT, parseInput } from '../kernel/validation/parse-input.ts'
import { revokeAllSessionsIn } from '../sessions/manage-sessions.ts'
import type { Session } from '../sessions/session.ts'
import { requireSudoSession } from '../sessions/sudo.ts'
import { throttledRedemption } from '../tokens/throttled-redemption.ts'
import { consumeEmailToken, issueEmailToken, peekEmailToken } from '../tokens/email-tokens.ts'
import { findAddressHolder, lockAddress } from '../users/user-repository.ts'
import { toUser, type User } from '../users/user.ts'
import { isDeletionScheduled, liveUser, lockLiveUser } from './account-guards.ts'
import type { PendingStepError } from '../sessions/sign-in-steps.ts'

const NewEmail = v.pipe(EMAIL_INPUT, v.transform(normalizeEmail), v.check(isValidEmail, 'Enter a valid email address.'))

export type RequestEmailChangeResult =
  | { ok: true; user: User; token: string }
  | Failure<'invalid' | 'same_email' | 'email_taken' | 'sudo_required' | 'impersonated' | 'rate_limited' | 'not_found' | 'deletion_scheduled' | PendingStepError>

/**
 * Confirm-then-switch, step one. The current address stays active; the new one is reserved in
 * `pending_email` until the token expires (registration and other changes treat it as taken).
 * One pending change at a time: a new request replaces the previous one and its token. The new
 * address gets the link; the old one gets a notice with nothing in it that changes anything.
 */
export async function requestEmailChange(
  ctx: SigraContext,
  user: Pick<User, 'id'>,
  newEmail: unknown,
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<RequestEmailChangeResult> {
  const parsed = parseInput(v.object({ email: NewEmail }), { email: newEmail })
  if (!parsed.ok) return parsed
  const email = parsed.value.email
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  if (isDeletionScheduled(row)) return fail('deletion_scheduled')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'account.email_change_request' })
  if (!check.ok) return fail(check.error)
  const session = check.row
  if (email === row.email) return fail('same_email')
  const limited = await ctx.limiter.consume('emailChange', row.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  return ctx.db.transaction().execute(async (trx): Promise<RequestEmailChangeResult> => {
    await lockAddress(trx, email)
    const at = ctx.config.clock()
    const holder = await findAddressHolder(trx, email, at)
    if (holder && holder.id !== row.id) return fail('email_taken')
    // Re-read under the address lock: a confirm that committed meanwhile may have made it the current address.
    if (holder && holder.email === email) return fail('same_email')
    // Someone else's reservation of this address that has expired no longer holds it: release it,
    // or the unique index on pending_email would turn this request into a constraint error.
    await trx.updateTable('users').set({ pending_email: null, pending_email_expires_at: null }).where('pending_email', '=', email).where('id', '!=', row.id).execute()
    const ttl = ctx.config.tokens.emailChangeTtl
    const updated = await trx
      .updateTable('users')
      .set({ pending_email: email, pending_email_expires_at: addSeconds(at, ttl), updated_at: at })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const token = await issueEmailToken(ctx, trx, { userId: row.id, context: 'change_email', sentTo: email, ttlSeconds: ttl, replace: true })
    await enqueueMail(ctx, trx, {
      to: email,
      userId: row.id,
      template: 'emailChangeVerify',
      data: { url: link(ctx.config, 'confirm-email-change', token), currentEmail: row.email, expiresInHours: Math.round(ttl / 3600) },
    })
    await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'emailChangeRequested', data: { newEmail: email, settingsUrl: link(ctx.config, 'settings') } })
    await writeAudit(ctx, trx, { action: 'account.email_change_request', userId: row.id, metadata: { session_id: session.id } })
    return { ok: true, user: toUser(updated), token }
  })
}

export type ConfirmEmailChangeResult = { ok: true; user: User } | Failure<'invalid_token' | 'email_taken' | 'vetoed' | 'rate_limited'>

/**
 * Step two: consumes the token (single use, bound to the user and to the address it was sent to),
 * switches the address, revokes every other session (all of them when no session is given),
 * bumps `epoch`, runs `onEmailChange`, audits, and tells the old address. If the address was
 * claimed meanwhile, nothing changes.
 */
export async function confirmEmailChange(
  ctx: SigraContext,
  token: unknown,
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<ConfirmEmailChangeResult> {
  return throttledRedemption(ctx, null, () => confirmChange(ctx, token, options))
}

async function confirmChange(ctx: SigraContext, token: unknown, options: { session?: Pick<Session, 'id'> | null }): Promise<ConfirmEmailChangeResult> {
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<ConfirmEmailChangeResult> => {
      // Locks in the order requestEmailChange takes them (address, account row, then tokens), so a
      // confirm racing a new request of the same user serialises instead of deadlocking. The read
      // only finds what to lock; the token is still consumed atomically below.
      const seen = await peekEmailToken(ctx, trx, token, 'change_email')
      if (!seen) return fail('invalid_token')
      await lockAddress(trx, seen.sent_to)
      const row = await lockLiveUser(trx, { id: seen.user_id })
      const used = await consumeEmailToken(ctx, trx, token, 'change_email', 'pending_email')
      if (!used) return fail('invalid_token')
      if (!row || row.id !== used.user_id || row.pending_email !== used.sent_to) throw new RollbackAs('invalid_token')
      const at = ctx.config.clock()
      if (!row.pending_email_expires_at || row.pending_email_expires_at.getTime() <= at.getTime()) throw new RollbackAs('invalid_token')
      const newEmail = used.sent_to
      const holder = await findAddressHolder(trx, newEmail, at)
      if (holder && holder.id !== row.id) throw new RollbackAs('email_taken')

      const updated = await trx
        .updateTable('users')
        .set((eb) => ({
          email: newEmail,
          pending_email: null,
          pending_email_expires_at: null,
          confirmed_at: eb.fn.coalesce('confirmed_at', eb.val(at)),
          epoch: eb('epoch', '+', 1),
          updated_at: at,
        }))
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      // Tokens mailed to the old address (confirm, reset) or for this change are dead now.
      await trx.deleteFrom('user_tokens').where('user_id', '=', row.id).where('id', '!=', used.id).execute()
      const keep = typeof options.session?.id === 'string' ? options.session.id : null
      const kept = keep ? await trx.selectFrom('sessions').select('id').where('id', '=', keep).where('user_id', '=', row.id).executeTakeFirst() : undefined
      await revokeAllSessionsIn(ctx, trx, row.id, { except: kept?.id ?? null, reason: 'email_change' })
      await enqueueMail(ctx, trx, {
        to: row.email,
        userId: row.id,
        template: 'emailChanged',
        data: { newEmail, reportTo: ctx.config.mailFrom, resetUrl: link(ctx.config, 'reset-password') },
      })
      const user = toUser(updated)
      await writeAudit(ctx, trx, { action: 'account.email_change_confirm', userId: user.id })
      await ctx.events.emit(trx, 'emailChanged', { user, previousEmail: row.email }, ctx.request)
      return { ok: true, user }
    }),
  ).catch((error: unknown) => {
    if (error instanceof RollbackAs) return fail(error.code)
    throw error
  })
}

/** Thrown inside a transaction to undo the token consumption and answer with a code. */
class RollbackAs extends Error {
  readonly code: 'invalid_token' | 'email_taken'
  constructor(code: 'invalid_token' | 'email_taken') {
    super(code)
    this.code = code
  }
}

export type CancelEmailChangeResult = { ok: true; user: User } | Failure<'not_found'>

/** Drops the pending change: clears `pending_email` (freeing the reservation) and deletes its tokens. */
export async function cancelEmailChange(ctx: SigraContext, user: Pick<User, 'id'>): Promise<CancelEmailChangeResult> {
  return ctx.db.transaction().execute(async (trx): Promise<CancelEmailChangeResult> => {
    const row = await lockLiveUser(trx, user)
    if (!row) return fail('not_found')
    const at = ctx.config.clock()
    const updated = await trx
      .updateTable('users')
      .set({ pending_email: null, pending_email_expires_at: null, updated_at: at })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx.deleteFrom('user_tokens').where('user_id', '=', row.id).where('context', '=', 'change_email').execute()
    if (row.pending_email !== null) await writeAudit(ctx, trx, { action: 'account.email_change_cancel', userId: row.id })
    return { ok: true, user: toUser(updated) }
  })
}
