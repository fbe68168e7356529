import * as v from 'valibot'
import { auditRow, writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { digest } from '../kernel/crypto/token.ts'
import type { Executor } from '../kernel/db/database.ts'
import { fail, vetoable, type Failure } from '../kernel/result.ts'
import { normalizeEmail } from '../kernel/validation/email.ts'
import { META_INPUT, PASSWORD_INPUT, parseInput } from '../kernel/validation/parse-input.ts'
import { normalizePassword } from '../kernel/validation/password-policy.ts'
import { newSession } from '../sessions/create-session.ts'
import type { Session } from '../sessions/session.ts'
import { parseSessionToken } from '../sessions/session-token.ts'
import { findUserByEmail, findUserByUsername } from '../users/user-repository.ts'
import { toUser, type User } from '../users/user.ts'
import { recordLoginFailure } from './record-login-failure.ts'

const LogInInput = v.object({
  login: v.pipe(v.string('Email or username must be a string.'), v.trim(), v.nonEmpty('Email or username is required.'), v.maxLength(320, 'Email or username is too long.')),
  password: PASSWORD_INPUT,
  rememberMe: v.optional(v.boolean('rememberMe must be a boolean.')),
  /** The session this browser had before, if any: it is ended, so the session id always changes at login. */
  previousToken: v.optional(v.nullable(v.string())),
  ...META_INPUT,
})
export type LogInInput = v.InferInput<typeof LogInInput>

export type LogInResult =
  | { ok: true; user: User; session: Session; token: string }
  | Failure<'invalid' | 'invalid_credentials' | 'locked' | 'rate_limited' | 'unconfirmed' | 'vetoed'>

/**
 * Password login by email (case-insensitive) or username. Budgets per IP and per account are
 * charged before any lookup; an unknown account still costs one hash verification; a locked
 * account is refused before its password is checked; failures are counted atomically in SQL.
 */
export async function logIn(ctx: SigraContext, input: LogInInput): Promise<LogInResult> {
  const parsed = parseInput(LogInInput, input)
  if (!parsed.ok) return parsed
  const { login, password, rememberMe, previousToken, ip, userAgent } = parsed.value
  const byEmail = login.includes('@')
  const key = byEmail ? normalizeEmail(login) : login.toLowerCase()

  const limited = await ctx.limiter.consumeAll([['loginIp', ip], ['loginAccount', key]])
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  const row = byEmail ? await findUserByEmail(ctx.db, key) : await findUserByUsername(ctx.db, key)
  const at = ctx.config.clock()
  const meta = { ip, userAgent }

  if (!row || row.hashed_password === null || row.status !== 'active') {
    await ctx.config.hasher.verify(await ctx.dummyHash(), password)
    await ctx.db.transaction().execute(async (trx) => {
      if (row) await recordLoginFailure(ctx, trx, row.id, { ...meta, reason: row.hashed_password === null ? 'no_password' : `status_${row.status}` })
      else await writeAudit(ctx, trx, { action: 'auth.login.failure', outcome: 'failure', userId: null, actorId: null, actorType: 'user', ...meta, metadata: { reason: 'unknown_account' } })
    })
    return fail('invalid_credentials')
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
  const previous = parseSessionToken(previousToken)

  const { row: sessionRow, session, token } = newSession(ctx, { userId: row.id, rememberMe: rememberMe === true, ip, userAgent })
  const audit = auditRow(ctx, {
    action: 'auth.login.success',
    userId: row.id,
    ...meta,
    metadata: { method: 'password', session_id: session.id, remember_me: session.rememberMe, ...(upgraded ? { hash_upgraded: true } : {}) },
  })
  // One statement does the whole success path (reset the failure count, upgrade the hash, end the
  // previous session, create the new one, audit) instead of one round trip each.
  const succeed = (db: Executor) =>
    db
      // The previous session ends only if the token really was its (id and secret), and the same user's.
      .with('previous', (q) =>
        q.deleteFrom('sessions').where('id', '=', previous?.id ?? NO_SESSION).where('user_id', '=', row.id).where('secret_digest', '=', digest(previous?.secret ?? '')),
      )
      .with('created', (q) => q.insertInto('sessions').values(sessionRow))
      .with('audited', (q) => q.insertInto('audit_events').values(audit))
      .updateTable('users')
      .set({ failed_login_attempts: 0, locked_until: null, last_login_at: at, updated_at: at, ...(upgraded ? { hashed_password: upgraded } : {}) })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow()

  // Hooks and subscribers run in the same transaction as the login; without any, the one statement
  // is atomic on its own and needs no transaction (two round trips fewer).
  if (!ctx.events.has('loggedIn')) return { ok: true, user: toUser(await succeed(ctx.db)), session, token }
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<LogInResult> => {
      const user = toUser(await succeed(trx))
      await ctx.events.emit(trx, 'loggedIn', { user, session })
      return { ok: true, user, session, token }
    }),
  )
}

/** A session id that never exists, for the "no previous session" case of the single statement. */
const NO_SESSION = '00000000-0000-0000-0000-000000000000'
