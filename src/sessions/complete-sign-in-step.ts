import { sql } from 'kysely'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { digest, randomSecret } from '../kernel/crypto/token.ts'
import type { Trx } from '../kernel/db/database.ts'
import { toUser } from '../users/user.ts'
import type { Session } from './session.ts'
import { formatSessionToken } from './session-token.ts'
import { toSession } from './session.ts'
import { pendingSteps } from './sign-in-steps.ts'

export interface CompleteStepInput {
  sessionId: string
  /** The secret half of the token that proved the session: the swap happens only while it is still the stored one. */
  expectedSecret: string
  /** The step passed; must be pending on the session. */
  step: string
  /** Method references the step proved ('otp', 'hwk'), added to the session's `amr`. */
  amr?: readonly string[]
  ip?: string | null
  userAgent?: string | null
}

/**
 * Marks a stored sign-in step as passed, inside the transaction of the feature that checked the
 * proof (so a consumed backup code and the passed step commit together), and renews the session
 * token: the token that was held at the step stops working. A compare-and-swap on the secret, so
 * of two parallel completions one wins. Returns null when the session, its secret or the step is
 * no longer there.
 */
export async function completeSignInStep(
  ctx: SigraContext,
  trx: Trx,
  input: CompleteStepInput,
): Promise<{ token: string; session: Session; pending: string[] } | null> {
  const secret = randomSecret()
  const current = await trx.selectFrom('sessions').select('amr').where('id', '=', input.sessionId).executeTakeFirst()
  if (!current) return null
  const amr = [...new Set([...current.amr, ...(input.amr ?? [])])]
  const row = await trx
    .updateTable('sessions')
    .set({ pending_steps: sql<string[]>`array_remove(pending_steps, ${input.step})`, amr: sql<string[]>`${amr}::text[]`, secret_digest: digest(secret) })
    .where('id', '=', input.sessionId)
    .where('secret_digest', '=', digest(input.expectedSecret))
    .where(sql<boolean>`${input.step} = ANY(pending_steps)`)
    .returningAll()
    .executeTakeFirst()
  if (!row) return null
  const user = await trx.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirstOrThrow()
  await writeAudit(ctx, trx, {
    action: 'session.step_passed',
    userId: row.user_id,
    ip: input.ip,
    userAgent: input.userAgent,
    metadata: { session_id: row.id, step: input.step },
  })
  const pending = pendingSteps(ctx.pipeline, row.pending_steps, toUser(user))
  const session = { ...toSession(row, ctx.config.sessions.idleTimeout), pendingSteps: pending }
  return { token: formatSessionToken(row.id, secret), session, pending }
}
