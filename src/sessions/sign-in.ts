import { auditRow } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { digest } from '../kernel/crypto/token.ts'
import type { Executor } from '../kernel/db/database.ts'
import type { UserRow, UserRowUpdate } from '../kernel/db/tables/users.table.ts'
import { vetoable, type Failure } from '../kernel/result.ts'
import { toUser, type User } from '../users/user.ts'
import { newSession } from './create-session.ts'
import type { Session } from './session.ts'
import { parseSessionToken } from './session-token.ts'
import { pendingSteps, type SignInAttempt, type SignInFlags } from './sign-in-steps.ts'

export interface SignInInput {
  /** The account whose first factor was just proven (read by the caller, live and active). */
  user: UserRow
  /** 'password', 'magic_link', 'oauth', 'passkey', … (audited, and told to the steps). */
  method: string
  /** RFC 8176 method references proven by that factor ('pwd'; 'hwk' + 'user' for a verified passkey). */
  amr: readonly string[]
  rememberMe?: boolean
  /** The browser's previous session token: that session ends (the session id changes at every sign-in). */
  previousToken?: string | null
  /** A device-trust token, for the steps that honour one. */
  trustToken?: string | null
  ip?: string | null
  userAgent?: string | null
  /** Columns to set on the user in the same statement (a password hash upgraded on login). */
  userUpdate?: UserRowUpdate
  /** Extra audit metadata for `auth.login.success`. */
  auditMetadata?: Record<string, unknown>
}

export type SignInSuccess = {
  ok: true
  user: User
  /** The new session; `session.pendingSteps` lists what it must still pass. */
  session: Session
  /** The session token, which exists only here. */
  token: string
  /** Steps still to pass before the session is signed in (empty: signed in now). */
  pending: string[]
} & SignInFlags

/**
 * The sign-in pipeline: every way to start a session (password today; magic link, OAuth, passkey,
 * token login as features) ends here. Each enabled feature's step decides whether the new session
 * must pass it first (MFA: "pending second factor"); the account's gates (a forced password change)
 * are added; the session is created with them pending, so a path cannot skip a step by forgetting
 * it. One statement does the rest: reset the failure count, apply `userUpdate`, end the previous
 * session, create the new one, write the audit row. Hooks (`loggedIn`) run in the same transaction.
 */
export async function signIn(ctx: SigraContext, input: SignInInput): Promise<SignInSuccess | Failure<'vetoed'>> {
  const at = ctx.config.clock()
  const ip = input.ip ?? ctx.request?.ip ?? null
  const userAgent = input.userAgent ?? ctx.request?.userAgent ?? null
  const attempt: SignInAttempt = { user: toUser(input.user), method: input.method, amr: input.amr, trustToken: input.trustToken ?? null, ip, userAgent }
  const stored: string[] = []
  const flags: Record<string, boolean> = {}
  for (const step of ctx.pipeline.steps) {
    if (await step.required(attempt, ctx.db)) {
      stored.push(step.name)
      if (step.resultFlag) flags[step.resultFlag] = true
    }
  }

  const previous = parseSessionToken(input.previousToken)
  const userId = input.user.id
  const created = newSession(ctx, { userId, rememberMe: input.rememberMe === true, ip, userAgent, pendingSteps: stored, amr: input.amr })
  const pending = pendingSteps(ctx.pipeline, stored, attempt.user)
  const session: Session = { ...created.session, pendingSteps: pending }
  const audit = auditRow(ctx, {
    action: 'auth.login.success',
    userId,
    ip,
    userAgent,
    metadata: { method: input.method, session_id: session.id, remember_me: session.rememberMe, ...(pending.length ? { pending } : {}), ...input.auditMetadata },
  })
  const succeed = (db: Executor) =>
    db
      // The previous session ends only if the token really was its (id and secret), and the same user's.
      .with('previous', (q) =>
        q.deleteFrom('sessions').where('id', '=', previous?.id ?? NO_SESSION).where('user_id', '=', userId).where('secret_digest', '=', digest(previous?.secret ?? '')),
      )
      .with('created', (q) => q.insertInto('sessions').values(created.row))
      .with('audited', (q) => q.insertInto('audit_events').values(audit))
      .updateTable('users')
      .set({ failed_login_attempts: 0, locked_until: null, last_login_at: at, updated_at: at, ...input.userUpdate })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow()

  // Without a hook or subscriber the one statement is atomic on its own and needs no transaction.
  if (!ctx.events.has('loggedIn')) return { ok: true, user: toUser(await succeed(ctx.db)), session, token: created.token, pending, ...flags }
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<SignInSuccess> => {
      const user = toUser(await succeed(trx))
      await ctx.events.emit(trx, 'loggedIn', { user, session }, ctx.request)
      return { ok: true, user, session, token: created.token, pending, ...flags }
    }),
  )
}

/** A session id that never exists, for the "no previous session" case of the single statement. */
const NO_SESSION = '00000000-0000-0000-0000-000000000000'
