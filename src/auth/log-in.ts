import * as v from 'valibot'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { fail, type Failure } from '../kernel/result.ts'
import { normalizeEmail } from '../kernel/validation/email.ts'
import { META_INPUT, PASSWORD_INPUT, parseInput } from '../kernel/validation/parse-input.ts'
import { normalizePassword } from '../kernel/validation/password-policy.ts'
import { signIn, type SignInSuccess } from '../sessions/sign-in.ts'
import { findUserByEmail, findUserByUsername } from '../users/user-repository.ts'
import { recordLoginFailure } from './record-login-failure.ts'
import { identifierKey, identifierLockedFor, recordIdentifierFailure } from './identifier-throttle.ts'
import { isDeletionDue } from '../account/account-guards.ts'

const LogInInput = v.object({
  login: v.pipe(v.string('Email or username must be a string.'), v.trim(), v.nonEmpty('Email or username is required.'), v.maxLength(320, 'Email or username is too long.')),
  password: PASSWORD_INPUT,
  rememberMe: v.optional(v.boolean('rememberMe must be a boolean.')),
  /** The session this browser had before, if any: it is ended, so the session id always changes at login. */
  previousToken: v.optional(v.nullable(v.string())),
  /** A device-trust token from an earlier sign-in (the MFA feature's "trust this device"); sign-in steps may honour it. */
  trustToken: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(1024)))),
  ...META_INPUT,
})
export type LogInInput = v.InferInput<typeof LogInInput>

/** With a sign-in step pending (a second factor), `pending` names it and the session is not signed in yet. */
export type LogInResult =
  | SignInSuccess
  | Failure<'invalid' | 'invalid_credentials' | 'locked' | 'rate_limited' | 'unconfirmed' | 'vetoed'>

/**
 * Password login by email (case-insensitive) or username. Budgets per IP and per account are
 * charged before any lookup; an unknown account still costs one hash verification; a locked
 * account is refused before its password is checked; failures are counted atomically in SQL.
 */
export async function logIn(ctx: SigraContext, input: LogInInput): Promise<LogInResult> {
  const parsed = parseInput(LogInInput, input)
  if (!parsed.ok) return parsed
  const { login, password, rememberMe, previousToken, trustToken, ip, userAgent } = parsed.value
  const byEmail = login.includes('@')
  const key = byEmail ? normalizeEmail(login) : login.toLowerCase()

  const limited = await ctx.limiter.consumeAll([['loginIp', ip], ['loginAccount', key]])
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  const row = byEmail ? await findUserByEmail(ctx.db, key) : await findUserByUsername(ctx.db, key)
  const at = ctx.config.clock()
  const meta = { ip, userAgent }

  // Past its deletion deadline the account is gone for sign-in, before any sweep has run.
  const due = row !== undefined && isDeletionDue(row, at)
  if (!row || row.hashed_password === null || row.status !== 'active' || due) {
    // No usable account answers to this identifier: it is counted and locked under its own key,
    // with the account lockout's rules and answers, so a lockout never tells who has an account.
    const throttleKey = identifierKey(ctx, key)
    const reason = !row ? 'unknown_account' : due ? 'deletion_due' : row.hashed_password === null ? 'no_password' : `status_${row.status}`
    const audit = { action: 'auth.login.failure', outcome: 'failure', userId: row?.id ?? null, actorId: null, actorType: 'user', ...meta } as const
    const lockedFor = await identifierLockedFor(ctx, throttleKey, at)
    if (lockedFor !== null) {
      await writeAudit(ctx, ctx.db, { ...audit, metadata: { reason: 'locked' } })
      return fail('locked', { retryAfter: lockedFor })
    }
    await ctx.config.hasher.verify(await ctx.dummyHash(), password)
    const { locked } = await ctx.db.transaction().execute(async (trx) => {
      await writeAudit(ctx, trx, { ...audit, metadata: { reason } })
      return recordIdentifierFailure(ctx, trx, throttleKey)
    })
    return locked ? fail('locked', { retryAfter: ctx.config.lockout.duration }) : fail('invalid_credentials')
  }

  if (row.locked_until && row.locked_until.getTime() > at.getTime()) {
    await writeAudit(ctx, ctx.db, { action: 'auth.login.failure', outcome: 'failure', userId: row.id, actorId: null, ...meta, metadata: { reason: 'locked' } })
    return fail('locked', { retryAfter: Math.ceil((row.locked_until.getTime() - at.getTime()) / 1000) })
  }

  const candidate = normalizePassword(password)
  if (!(await ctx.config.hasher.verify(row.hashed_password, candidate))) {
    const { locked } = await ctx.db.transaction().execute((trx) => recordLoginFailure(ctx, trx, row.id, { ...meta, reason: 'wrong_password' }))
    return locked ? fail('locked', { retryAfter: ctx.config.lockout.duration }) : fail('invalid_credentials')
  }

  if (ctx.config.requireConfirmation && row.confirmed_at === null) {
    await writeAudit(ctx, ctx.db, { action: 'auth.login.failure', outcome: 'failure', userId: row.id, ...meta, metadata: { reason: 'unconfirmed' } })
    return fail('unconfirmed')
  }

  // Legacy bcrypt or outdated Argon2 parameters: replace the hash now that we know the password.
  const upgraded = ctx.config.hasher.needsRehash(row.hashed_password) ? await ctx.config.hasher.hash(candidate) : null
  return signIn(ctx, {
    user: row,
    method: 'password',
    amr: ['pwd'],
    rememberMe: rememberMe === true,
    previousToken,
    trustToken,
    ip,
    userAgent,
    ...(upgraded ? { userUpdate: { hashed_password: upgraded }, auditMetadata: { hash_upgraded: true } } : {}),
  })
}
