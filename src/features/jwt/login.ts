import { logIn as coreLogIn, type LogInInput, type LogInResult } from '../../auth/log-in.ts'
import { SigraError } from '../../kernel/errors.ts'
import { scopeToRequest } from '../../kernel/request-meta.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { resolveSession } from '../../sessions/validate-session.ts'
import type { User } from '../../users/user.ts'
import { issueFor, type TokenPair } from './issue.ts'
import type { JwtContext } from './jwt-context.ts'
import type { MfaFailure } from './mfa-challenge.ts'
import './augment.ts'

/** A sign-in that must pass a step first: no tokens, only the held session's token, good for that step alone. */
export interface PendingSignIn {
  ok: true
  /** Steps still to pass, first first (`['mfa']`). */
  pending: string[]
  /** The held session's token: send it to `POST /token/mfa` (or `jwt.verifyMfa`) with the code. */
  stepToken: string
}

/** Signed in: the tokens, the user, and `pending: []`. */
export type SignedInWithTokens = TokenPair & { user: User; pending: [] }

export type TokenLogInResult = SignedInWithTokens | PendingSignIn | Extract<LogInResult, { ok: false }> | Failure<'invalid_session'>

export type VerifyMfaResult = SignedInWithTokens | PendingSignIn | MfaFailure

/**
 * Password login for first-party apps, answered with tokens instead of a cookie. It is core's
 * `auth.logIn` (the one sign-in pipeline: throttles, lockout, enumeration defences, and every
 * feature's steps), then `issue` for the new session, which this app's family owns (revoking the
 * family ends it). A sign-in held at a step (a second factor) answers `{ pending, stepToken }` and
 * no tokens. The session is a remember-me one unless `rememberMe: false`: the app's sign-in lasts
 * `refreshTtl`, not the browser idle timeout.
 */
export async function logIn(ctx: JwtContext, input: LogInInput): Promise<TokenLogInResult> {
  const attempt = input && typeof input === 'object' ? input : ({} as LogInInput)
  const result = await coreLogIn(ctx, { ...attempt, rememberMe: attempt.rememberMe ?? true, previousToken: null, ip: attempt.ip ?? ctx.request?.ip ?? null, userAgent: attempt.userAgent ?? ctx.request?.userAgent ?? null })
  if (!result.ok) return result
  if (result.pending.length) return { ok: true, pending: result.pending, stepToken: result.token }
  const issued = await issueFor(ctx, result.user, result.session, { ownsSession: true, via: 'login' })
  return issued.ok ? { ...issued, user: result.user, pending: [] } : issued
}

/**
 * The second factor for a token login held at `mfa`: the MFA feature's own challenge
 * (`mfa.verify`: its throttles, lockout, replay rules and audit), then tokens for the renewed
 * session. Needs `mfa()` among the features (throws `invalid_config` otherwise).
 */
export async function verifyMfa(ctx: JwtContext, stepToken: unknown, proof: { code: string } | { backupCode: string }): Promise<VerifyMfaResult> {
  const challenge = ctx.jwt.mfa()
  if (!challenge) throw new SigraError('invalid_config', 'jwt.verifyMfa needs mfa() from sigra/mfa in features')
  const passed = await (ctx.request ? scopeToRequest(challenge, ctx.request) : challenge).verify(stepToken, proof)
  if (!passed.ok) return passed
  const held = await resolveSession(ctx, passed.token)
  if (!held) return fail('invalid_session')
  if (held.pending.length) return { ok: true, pending: held.pending, stepToken: passed.token }
  const issued = await issueFor(ctx, held.user, held.session, { ownsSession: true, via: 'mfa' })
  return issued.ok ? { ...issued, user: held.user, pending: [] } : issued
}
