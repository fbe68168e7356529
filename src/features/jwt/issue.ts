import { randomUUID } from 'node:crypto'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { refusalFor, type PendingStepError } from '../../sessions/sign-in-steps.ts'
import { resolveSession } from '../../sessions/validate-session.ts'
import type { User } from '../../users/user.ts'
import { jwtDb, type JwtContext } from './jwt-context.ts'
import { signingKey } from './keys.ts'
import { newRefreshToken } from './refresh-token.ts'
import { customClaims, signAccessToken } from './sign.ts'
import './augment.ts'

/** What a first-party app holds after `issue`, a token login or a refresh. */
export interface TokenPair {
  ok: true
  /** The JWT access token, for `Authorization: Bearer`. */
  accessToken: string
  /** The opaque refresh token: single-use, exchanged at `refresh` for the next pair. */
  refreshToken: string
  tokenType: 'Bearer'
  /** Seconds the access token lives. */
  expiresIn: number
  /** The end of the refresh family: sign in again after it. */
  refreshExpiresAt: Date
}

export type IssueResult = TokenPair | Failure<'invalid_session' | 'impersonated' | PendingStepError>

/**
 * Exchanges a signed-in session for tokens: a new refresh family bound to the session (it ends with
 * it), its first refresh token, and an access token. A session held at a sign-in step gets that
 * step's code (`mfa_required`): no token with full rights exists before the step is passed. An
 * impersonation session gets `impersonated` (a bearer token would carry the impersonation off).
 * Audited `token.issue`.
 */
export async function issue(ctx: JwtContext, sessionToken: unknown): Promise<IssueResult> {
  const held = await resolveSession(ctx, sessionToken)
  if (!held) return fail('invalid_session')
  if (held.pending.length) return fail(refusalFor(ctx.pipeline, held.pending[0]!).error)
  if (held.session.impersonatorId !== null) return fail('impersonated')
  return issueFor(ctx, held.user, held.session, { ownsSession: false, via: 'session' })
}

/**
 * Starts a refresh family for a signed-in session (checked by the caller). `ownsSession`: the
 * session exists only for this app (token login), so revoking the family ends it too. The family
 * ends at `refreshTtl` from now, or with the session if that comes first.
 */
export async function issueFor(
  ctx: JwtContext,
  user: User,
  session: Session,
  options: { ownsSession: boolean; via: 'session' | 'login' | 'mfa' },
): Promise<TokenPair | Failure<'invalid_session'>> {
  const key = await signingKey(ctx)
  const custom = await customClaims(ctx, user, session)
  const at = ctx.config.clock()
  const familyId = randomUUID()
  const expiresAt = new Date(Math.min(at.getTime() + ctx.jwt.refreshTtl * 1000, session.expiresAt.getTime()))
  const first = newRefreshToken(familyId, at)
  const started = await ctx.db.transaction().execute(async (trx) => {
    // The session must still be there, and stays until this commits (a logout racing us waits, then cascades).
    const live = await trx.selectFrom('sessions').select('id').where('id', '=', session.id).forKeyShare().executeTakeFirst()
    if (!live) return false
    await jwtDb(trx)
      .insertInto('jwt_refresh_families')
      .values({ id: familyId, user_id: user.id, session_id: session.id, owns_session: options.ownsSession, epoch: user.epoch, created_at: at, last_used_at: at, expires_at: expiresAt })
      .execute()
    await jwtDb(trx).insertInto('jwt_refresh_tokens').values(first.row).execute()
    await writeAudit(ctx, trx, { action: 'token.issue', userId: user.id, metadata: { family_id: familyId, session_id: session.id, via: options.via } })
    return true
  })
  if (!started) return fail('invalid_session')
  const accessToken = await signAccessToken(ctx, key, { user, session, familyId, custom })
  return { ok: true, accessToken, refreshToken: first.token, tokenType: 'Bearer', expiresIn: ctx.jwt.accessTtl, refreshExpiresAt: expiresAt }
}
