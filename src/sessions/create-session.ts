import { addSeconds } from '../kernel/clock.ts'
import type { SigraContext } from '../kernel/context.ts'
import { digest, randomSecret } from '../kernel/crypto/token.ts'
import type { Trx } from '../kernel/db/database.ts'
import { deviceLabel } from './device-label.ts'
import { toSession, type Session } from './session.ts'
import { formatSessionToken } from './session-token.ts'

export interface NewSessionInput {
  userId: string
  rememberMe?: boolean
  ip?: string | null
  userAgent?: string | null
  impersonatorId?: string | null
}

/** Creates a session row and returns the token, which exists only in the return value. */
export async function createSession(ctx: SigraContext, trx: Trx, input: NewSessionInput): Promise<{ session: Session; token: string }> {
  const { sessions } = ctx.config
  const at = ctx.config.clock()
  const secret = randomSecret()
  const rememberMe = input.rememberMe === true
  const row = await trx
    .insertInto('sessions')
    .values({
      user_id: input.userId,
      secret_digest: digest(secret),
      created_at: at,
      last_active_at: at,
      expires_at: addSeconds(at, rememberMe ? sessions.rememberMeMaxAge : sessions.absoluteTimeout),
      remember_me: rememberMe,
      ip: input.ip?.slice(0, 64) ?? null,
      user_agent: input.userAgent?.slice(0, 512) ?? null,
      device_label: deviceLabel(input.userAgent),
      impersonator_id: input.impersonatorId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { session: toSession(row, sessions.idleTimeout), token: formatSessionToken(row.id, secret) }
}
