import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { toSession } from '../../sessions/session.ts'
import { pendingSteps, refusalFor, type PendingStepError } from '../../sessions/sign-in-steps.ts'
import { sessionExpiry } from '../../sessions/validate-session.ts'
import { throttledRedemption } from '../../tokens/throttled-redemption.ts'
import { findUserById } from '../../users/user-repository.ts'
import { toUser } from '../../users/user.ts'
import type { TokenPair } from './issue.ts'
import { jwtDb, type JwtContext } from './jwt-context.ts'
import { signingKey } from './keys.ts'
import { accountUsable } from './account-usable.ts'
import { findRefreshToken, newRefreshToken } from './refresh-token.ts'
import { customClaims, signAccessToken } from './sign.ts'
import './augment.ts'

export type RefreshResult = TokenPair | Failure<'invalid_token' | 'reuse_detected' | 'rate_limited' | PendingStepError>

/**
 * Rotates a refresh token: the presented one is spent and a new one of the same family returned,
 * with a new access token. Under the per-IP budget of failed redemptions.
 *
 * - The family must be within its absolute lifetime, its session live (absolute and idle expiry,
 *   the one rule core applies), the account usable and its epoch unchanged; a session held at a
 *   step (a forced password change) gets the step's code. A refresh counts as activity on the session.
 * - Theft detection: a spent token presented again revokes the whole family **and its session**
 *   (and so every family of that session), audited `token.refresh_reuse`: either the thief or the
 *   owner is using an old token, and there is no telling which.
 * - Except within `refreshGrace` seconds of its spending, while its successor is unused: then the
 *   caller gets that same successor (two tabs refreshing at once, a retried request whose answer
 *   was lost). The successor is kept sealed on the spent row for the grace only.
 *
 * Locks follow the cascade's order (session, family, token), so a logout or a password change
 * racing a refresh queues instead of deadlocking; of parallel refreshes of one token, one rotates and the others get its successor.
 */
export async function refresh(ctx: JwtContext, refreshToken: unknown): Promise<RefreshResult> {
  return throttledRedemption(ctx, null, () => rotate(ctx, refreshToken))
}

async function rotate(ctx: JwtContext, refreshToken: unknown): Promise<RefreshResult> {
  const found = await findRefreshToken(ctx.db, refreshToken)
  if (!found) return fail('invalid_token')
  const at = ctx.config.clock()
  if (found.expires_at.getTime() <= at.getTime()) return fail('invalid_token')
  const sessionRow = await ctx.db.selectFrom('sessions').selectAll().where('id', '=', found.session_id).executeTakeFirst()
  const userRow = await findUserById(ctx.db, found.user_id)
  if (!sessionRow || !userRow) return fail('invalid_token')
  if (sessionExpiry(ctx, sessionRow, at) || !accountUsable(userRow, at)) {
    // What core does when it sees such a session: it is gone (and its families with it).
    await ctx.db.deleteFrom('sessions').where('id', '=', sessionRow.id).execute()
    return fail('invalid_token')
  }
  if (userRow.epoch !== found.epoch) {
    await jwtDb(ctx.db).deleteFrom('jwt_refresh_families').where('id', '=', found.family_id).execute()
    return fail('invalid_token')
  }
  const user = toUser(userRow)
  const pending = pendingSteps(ctx.pipeline, sessionRow.pending_steps, user)
  if (pending.length) return fail(refusalFor(ctx.pipeline, pending[0]!).error)

  const key = await signingKey(ctx)
  const session = toSession(sessionRow, ctx.config.sessions.idleTimeout)
  const custom = await customClaims(ctx, user, session)
  const grace = ctx.jwt.refreshGrace * 1000

  const outcome = await ctx.db.transaction().execute(async (trx): Promise<{ ok: true; token: string; amr: string[] } | Failure<'invalid_token' | 'reuse_detected'>> => {
    const now = ctx.config.clock()
    // Session, family, token: the order of the cascade (a logout, a password change), so racing them queues instead of deadlocking.
    const live = await trx.selectFrom('sessions').select(['id', 'amr']).where('id', '=', found.session_id).forNoKeyUpdate().executeTakeFirst()
    const family = live ? await jwtDb(trx).selectFrom('jwt_refresh_families').select('id').where('id', '=', found.family_id).forNoKeyUpdate().executeTakeFirst() : undefined
    const row = family ? await jwtDb(trx).selectFrom('jwt_refresh_tokens').selectAll().where('id', '=', found.id).forUpdate().executeTakeFirst() : undefined
    if (!live || !row) return fail('invalid_token')

    if (row.spent_at !== null) {
      const successor =
        grace > 0 && row.sealed_successor && row.successor_id && now.getTime() - row.spent_at.getTime() <= grace
          ? await jwtDb(trx).selectFrom('jwt_refresh_tokens').select('id').where('id', '=', row.successor_id).where('spent_at', 'is', null).executeTakeFirst()
          : undefined
      if (successor && row.sealed_successor) {
        await writeAudit(ctx, trx, { action: 'token.refresh', userId: found.user_id, metadata: { family_id: found.family_id, concurrent: true } })
        return { ok: true, token: ctx.jwt.successorSealer.open(row.sealed_successor), amr: live.amr }
      }
      await trx.deleteFrom('sessions').where('id', '=', live.id).execute()
      await writeAudit(ctx, trx, {
        action: 'token.refresh_reuse',
        outcome: 'failure',
        userId: found.user_id,
        actorId: null,
        metadata: { family_id: found.family_id, session_id: live.id, spent_at: row.spent_at.toISOString() },
      })
      return fail('reuse_detected')
    }

    const next = newRefreshToken(found.family_id, now)
    // The spend is one statement: only a token still unspent is spent (the row lock already queues racers).
    const spent = await jwtDb(trx)
      .updateTable('jwt_refresh_tokens')
      .set({ spent_at: now, successor_id: next.row.id, sealed_successor: grace > 0 ? ctx.jwt.successorSealer.seal(next.token) : null })
      .where('id', '=', row.id)
      .where('spent_at', 'is', null)
      .returning('id')
      .executeTakeFirst()
    if (!spent) return fail('invalid_token')
    await jwtDb(trx).insertInto('jwt_refresh_tokens').values(next.row).execute()
    // Successors sealed for a grace that has passed are forgotten now (the sweep catches the rest).
    await jwtDb(trx)
      .updateTable('jwt_refresh_tokens')
      .set({ sealed_successor: null })
      .where('family_id', '=', found.family_id)
      .where('sealed_successor', 'is not', null)
      .where('spent_at', '<', new Date(now.getTime() - grace))
      .execute()
    await jwtDb(trx).updateTable('jwt_refresh_families').set({ last_used_at: now }).where('id', '=', found.family_id).execute()
    await trx.updateTable('sessions').set({ last_active_at: now }).where('id', '=', live.id).execute()
    await writeAudit(ctx, trx, { action: 'token.refresh', userId: found.user_id, metadata: { family_id: found.family_id } })
    return { ok: true, token: next.token, amr: live.amr }
  })
  if (!outcome.ok) return outcome
  const accessToken = await signAccessToken(ctx, key, { user, session: { id: session.id, amr: outcome.amr }, familyId: found.family_id, custom })
  return { ok: true, accessToken, refreshToken: outcome.token, tokenType: 'Bearer', expiresIn: ctx.jwt.accessTtl, refreshExpiresAt: found.expires_at }
}
