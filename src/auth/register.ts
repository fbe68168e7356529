import * as v from 'valibot'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { fail, invalid, vetoable, type Failure, type FieldIssue } from '../kernel/result.ts'
import { isStorableText } from '../kernel/validation/pg-text.ts'
import { EMAIL_MAX_LENGTH, isValidEmail, normalizeEmail, USERNAME_SHAPE } from '../kernel/validation/email.ts'
import { META_INPUT, EMAIL_INPUT, PASSWORD_INPUT, parseInput } from '../kernel/validation/parse-input.ts'
import { checkPassword, normalizePassword } from '../kernel/validation/password-policy.ts'
import { issueEmailToken } from '../tokens/email-tokens.ts'
import { findAddressHolder, findUserByUsername, lockAddress } from '../users/user-repository.ts'
import { toUser, type User } from '../users/user.ts'
import { link } from './links.ts'

const RegisterInput = v.object({
  email: v.pipe(EMAIL_INPUT, v.transform(normalizeEmail), v.check(isValidEmail, `Enter a valid email address (at most ${EMAIL_MAX_LENGTH} characters).`)),
  password: PASSWORD_INPUT,
  username: v.optional(v.nullable(v.pipe(v.string('Username must be a string.'), v.regex(USERNAME_SHAPE, 'Username must be 3–30 letters, digits, _ . or -, starting with a letter.')))),
  customFields: v.optional(v.pipe(v.record(v.string(), v.unknown()), v.check((o) => JSON.stringify(o).length <= 16384, 'Custom fields are too large.'))),
  ...META_INPUT,
})
export type RegisterInput = v.InferInput<typeof RegisterInput>

/** The password policy's verdict while other fields are invalid (when the password itself parsed). */
function passwordIssuesBeside(ctx: SigraContext, input: unknown, issues: readonly FieldIssue[]): FieldIssue[] {
  if (issues.some((i) => i.field === 'password' || i.field === 'input')) return []
  const { password, email, username } = (input ?? {}) as { password?: unknown; email?: unknown; username?: unknown }
  if (typeof password !== 'string') return []
  const context = {
    email: typeof email === 'string' && isStorableText(email) ? normalizeEmail(email) : null,
    username: typeof username === 'string' ? username : null,
    appName: ctx.config.appName,
  }
  return checkPassword(password, ctx.config.password, context)
}

export type RegisterResult = { ok: true; user: User } | Failure<'invalid' | 'email_taken' | 'rate_limited' | 'vetoed'>

/**
 * Creates an account and mails a confirmation link, in one transaction with its audit row and
 * the `onRegister` hook. A taken address (live, or reserved by a pending email change) answers
 * `email_taken` and mails its owner a notice without any token, so an HTTP layer can answer
 * exactly as for a new address.
 */
export async function register(ctx: SigraContext, input: RegisterInput): Promise<RegisterResult> {
  // Every field's problems at once, the password policy included, so one submit shows them all;
  // and only a valid sign-up spends the sign-up budgets (a typo costs nothing).
  const parsed = parseInput(RegisterInput, input)
  if (!parsed.ok) return invalid([...(parsed.issues ?? []), ...passwordIssuesBeside(ctx, input, parsed.issues ?? [])])
  const { email, password, username, customFields, ip, userAgent } = parsed.value
  const issues = checkPassword(password, ctx.config.password, { email, username: username ?? null, appName: ctx.config.appName })
  if (issues.length) return invalid(issues)

  const limited = await ctx.limiter.consumeAll([['registerIp', ip], ['registerEmail', email]])
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  // Hashed before the address check, so a taken address costs the same time as a new one.
  const hashed = await ctx.config.hasher.hash(normalizePassword(password))

  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<RegisterResult> => {
      const at = ctx.config.clock()
      await lockAddress(trx, email)
      const holder = await findAddressHolder(trx, email, at)
      if (holder) {
        await enqueueMail(ctx, trx, {
          to: email,
          userId: holder.email === email ? holder.id : null,
          template: 'accountExists',
          data: { loginUrl: link(ctx.config, 'log-in'), resetUrl: link(ctx.config, 'reset-password') },
        })
        await writeAudit(ctx, trx, {
          action: 'auth.register.failure',
          outcome: 'failure',
          userId: holder.email === email ? holder.id : null,
          actorId: null,
          actorType: 'user',
          ip,
          userAgent,
          metadata: { reason: 'email_taken' },
        })
        return fail('email_taken')
      }
      if (username && (await findUserByUsername(trx, username))) {
        return invalid([{ field: 'username', code: 'taken', message: 'This username is taken.' }])
      }
      const row = await trx
        .insertInto('users')
        .values({
          email,
          username: username ?? null,
          hashed_password: hashed,
          password_changed_at: at,
          custom_fields: JSON.stringify(customFields ?? {}),
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      const token = await issueEmailToken(ctx, trx, { userId: row.id, context: 'confirm', sentTo: email, ttlSeconds: ctx.config.tokens.confirmTtl })
      await enqueueMail(ctx, trx, {
        to: email,
        userId: row.id,
        template: 'confirmEmail',
        data: { url: link(ctx.config, 'confirm', token), expiresInHours: Math.round(ctx.config.tokens.confirmTtl / 3600) },
      })
      const user = toUser(row)
      await writeAudit(ctx, trx, { action: 'auth.register', userId: user.id, ip, userAgent, metadata: { method: 'password' } })
      await ctx.events.emit(trx, 'userRegistered', { user }, ctx.request)
      return { ok: true, user }
    }),
  )
}
