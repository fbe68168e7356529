import { addSeconds } from '../kernel/clock.ts'
import type { SigraContext } from '../kernel/context.ts'
import { digest, randomSecret } from '../kernel/crypto/token.ts'
import type { Trx } from '../kernel/db/database.ts'
import { deviceLabel } from './device-label.ts'
import { randomUUID } from 'node:crypto'
import type { SessionRow } from '../kernel/db/tables/sessions.table.ts'
import { toSession, type Session } from './session.ts'
import { formatSessionToken } from './session-token.ts'

export interface NewSessionInput {
  userId: string
  rememberMe?: boolean
  ip?: string | null
  userAgent?: string | null
  impersonatorId?: string | null
  /** With `impersonatorId`: the operator's own session, handed back when the impersonation ends. */
  impersonatorSessionId?: string | null
  /** Sign-in steps the session must pass before it is signed in (decided by `signIn`). */
  pendingSteps?: readonly string[]
  /** RFC 8176 method references of how it authenticated. */
  amr?: readonly string[]
}

/**
 * A new session's row, its public form and its token, without writing anything: the id is drawn
 * here so callers can insert it inside a larger statement. The token exists only in the result.
 */
export function newSession(ctx: SigraContext, input: NewSessionInput): { row: SessionRow; session: Session; token: string } {
  const { sessions } = ctx.config
  const at = ctx.config.clock()
  const secret = randomSecret()
  const rememberMe = input.rememberMe === true
  const row: SessionRow = {
    id: randomUUID(),
    user_id: input.userId,
    secret_digest: digest(secret),
    created_at: at,
    last_active_at: at,
    expires_at: addSeconds(at, rememberMe ? sessions.rememberMeMaxAge : sessions.absoluteTimeout),
    remember_me: rememberMe,
    sudo_at: null,
    pending_steps: [...(input.pendingSteps ?? [])],
    amr: [...(input.amr ?? [])],
    ip: input.ip?.slice(0, 64) ?? null,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    device_label: deviceLabel(input.userAgent),
    impersonator_id: input.impersonatorId ?? null,
    impersonator_session_id: input.impersonatorSessionId ?? null,
    active_organization_id: null,
  }
  return { row, session: toSession(row, sessions.idleTimeout), token: formatSessionToken(row.id, secret) }
}

/**
 * Creates a session row and returns the token, which exists only in the return value. Not a way to
 * sign someone in (that is `signIn`, which runs the sign-in steps); for sessions derived from one
 * that already passed them, and for test fixtures.
 */
export async function createSession(ctx: SigraContext, trx: Trx, input: NewSessionInput): Promise<{ session: Session; token: string }> {
  const { row, session, token } = newSession(ctx, input)
  await trx.insertInto('sessions').values(row).execute()
  return { session, token }
}
