import * as v from 'valibot'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { fail, invalid, vetoable, type Failure } from '../kernel/result.ts'
import { isValidEmail, normalizeEmail } from '../kernel/validation/email.ts'
import { EMAIL_INPUT, META_INPUT, PASSWORD_INPUT, parseInput } from '../kernel/validation/parse-input.ts'
import { checkPassword, normalizePassword } from '../kernel/validation/password-policy.ts'
import { revokeAllSessionsIn } from '../sessions/manage-sessions.ts'
import { consumeEmailTokenForUser, issueEmailToken, peekEmailToken } from '../tokens/email-tokens.ts'
import { throttledRedemption } from '../tokens/throttled-redemption.ts'
import { findUserByEmail } from '../users/user-repository.ts'
import { toUser, type User } from '../users/user.ts'
import { link } from './links.ts'
import { newPasswordColumns } from '../users/new-password-columns.ts'

const RequestInput = v.object({ email: EMAIL_INPUT, ...META_INPUT })

/**
 * Mails a reset link if the address has an account; answers `{ ok: true }` either way (and when
 * throttled), so the answer never tells whether an account exists. Budgets per address and per IP
 * are charged before the lookup; both paths run one transaction of the same shape.
 */
export async function requestPasswordReset(
  ctx: SigraContext,
  email: unknown,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<{ ok: true } | Failure<'invalid'>> {
  const parsed = parseInput(RequestInput, { email, ...meta })
  if (!parsed.ok) return parsed
  const address = normalizeEmail(parsed.value.email)
  if (!isValidEmail(address)) return invalid([{ field: 'email', code: 'invalid_format', message: 'Enter a valid email address.' }])
  const { ip, userAgent } = parsed.value

  const limited = await ctx.limiter.consumeAll([['resetIp', ip], ['resetEmail', address]])
  if (!limited.ok) return { ok: true }

  await ctx.db.transaction().execute(async (trx) => {
    const row = await findUserByEmail(trx, address)
    if (!row || row.status !== 'active') {
      await writeAudit(ctx, trx, { action: 'auth.password_reset_request', outcome: 'failure', userId: null, actorId: null, actorType: 'user', ip, userAgent, metadata: { reason: 'unknown_account' } })
      return
    }
    const token = await issueEmailToken(ctx, trx, { userId: row.id, context: 'reset_password', sentTo: row.email, ttlSeconds: ctx.config.tokens.resetTtl, replace: true })
    await enqueueMail(ctx, trx, {
      to: row.email,
      userId: row.id,
      template: 'resetPassword',
      data: { url: link(ctx.config, 'reset-password', token), expiresInMinutes: Math.round(ctx.config.tokens.resetTtl / 60) },
    })
    await writeAudit(ctx, trx, { action: 'auth.password_reset_request', userId: row.id, ip, userAgent })
  })
  return { ok: true }
}

const ResetInput = v.object({ password: PASSWORD_INPUT, ...META_INPUT })
export type ResetPasswordResult = { ok: true; user: User } | Failure<'invalid' | 'invalid_token' | 'vetoed' | 'rate_limited'>

/**
 * Sets a new password from a reset link. The token is checked and the password validated before
 * anything is consumed (a rejected password keeps the link usable); then, in one transaction, the
 * token is consumed atomically, every session is revoked, a pending email change is dropped,
 * `epoch` is bumped, the owner is told by mail, and the event is audited. It does not log in.
 */
export async function resetPassword(ctx: SigraContext, token: unknown, input: { password: unknown; ip?: string | null; userAgent?: string | null }): Promise<ResetPasswordResult> {
  const parsed = parseInput(ResetInput, input)
  if (!parsed.ok) return parsed
  return throttledRedemption(ctx, parsed.value.ip, () => reset(ctx, token, parsed.value))
}

async function reset(ctx: SigraContext, token: unknown, input: { password: string; ip?: string | null | undefined; userAgent?: string | null | undefined }): Promise<ResetPasswordResult> {
  const { password, ip, userAgent } = input
  const pending = await peekEmailToken(ctx, ctx.db, token, 'reset_password')
  if (!pending) return fail('invalid_token')
  const owner = await findUserByEmail(ctx.db, pending.sent_to)
  const issues = checkPassword(password, ctx.config.password, { email: pending.sent_to, username: owner?.username ?? null, appName: ctx.config.appName })
  if (issues.length) return invalid(issues)
  const hashed = await ctx.config.hasher.hash(normalizePassword(password))

  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<ResetPasswordResult> => {
      const used = await consumeEmailTokenForUser(ctx, trx, token, 'reset_password')
      if (!used) return fail('invalid_token')
      const at = ctx.config.clock()
      const row = await trx
        .updateTable('users')
        .set((eb) => ({
          ...newPasswordColumns(eb, hashed, at),
          pending_email: null,
          pending_email_expires_at: null,
          // The link proved control of the address.
          confirmed_at: eb.fn.coalesce('confirmed_at', eb.val(at)),
        }))
        .where('id', '=', used.user_id)
        .returningAll()
        .executeTakeFirstOrThrow()
      await trx.deleteFrom('user_tokens').where('user_id', '=', row.id).where('context', 'in', ['reset_password', 'change_email']).where('id', '!=', used.id).execute()
      await revokeAllSessionsIn(ctx, trx, row.id, { reason: 'password_reset' })
      await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'passwordResetDone', data: { resetUrl: link(ctx.config, 'reset-password') } })
      const user = toUser(row)
      await writeAudit(ctx, trx, { action: 'auth.password_reset', userId: user.id, ip, userAgent })
      await ctx.events.emit(trx, 'passwordReset', { user }, ctx.request)
      return { ok: true, user }
    }),
  )
}
