import type { SigraContext } from '../kernel/context.ts'
import { digest, randomSecret } from '../kernel/crypto/token.ts'
import { fail, type Failure } from '../kernel/result.ts'
import { toSession, type Session } from './session.ts'
import { formatSessionToken, parseSessionToken } from './session-token.ts'
import { validateSession } from './validate-session.ts'

/**
 * Replaces the stored secret digest of a session (same id, same expiry, same sudo state) and
 * returns the new token; the old token stops validating at once. With `expectedSecret`, the swap
 * only happens while the row still holds that secret, so of two concurrent rotations one wins.
 * Returns null when there is no such session (or it was rotated meanwhile).
 */
export async function rotateSessionSecret(
  ctx: SigraContext,
  sessionId: string,
  options: { expectedSecret?: string } = {},
): Promise<{ session: Session; token: string } | null> {
  const secret = randomSecret()
  let query = ctx.db.updateTable('sessions').set({ secret_digest: digest(secret) }).where('id', '=', sessionId)
  if (options.expectedSecret !== undefined) query = query.where('secret_digest', '=', digest(options.expectedSecret))
  const row = await query.returningAll().executeTakeFirst()
  if (!row) return null
  return { session: toSession(row, ctx.config.sessions.idleTimeout), token: formatSessionToken(row.id, secret) }
}

export type RotateSessionResult = { ok: true; token: string; session: Session } | Failure<'invalid_session'>

/**
 * Renews the session token after a privilege change (sudo): the token is validated through the
 * one enforcement point (constant-time, expiry), then its secret is replaced.
 */
export async function rotateSession(ctx: SigraContext, token: unknown): Promise<RotateSessionResult> {
  const current = await validateSession(ctx, token)
  const parsed = parseSessionToken(token)
  if (!current || !parsed) return fail('invalid_session')
  const rotated = await rotateSessionSecret(ctx, current.session.id, { expectedSecret: parsed.secret })
  if (!rotated) return fail('invalid_session')
  return { ok: true, token: rotated.token, session: rotated.session }
}
