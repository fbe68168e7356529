import type { ExpressionBuilder } from 'kysely'
import { addSeconds } from '../kernel/clock.ts'
import type { SigraContext } from '../kernel/context.ts'
import { digest, isWellFormedSecret, randomSecret } from '../kernel/crypto/token.ts'
import type { Database, Executor, Trx } from '../kernel/db/database.ts'
import type { TokenContext, UserTokenRow } from '../kernel/db/tables/user-tokens.table.ts'

/** The address a token of each kind must still be mailed to: the current one, or the pending one for a change. */
export type TokenBinding = 'email' | 'pending_email'

/** The token's user is not deleted and still has the address the token was mailed to. */
function addressedToLiveUser(eb: ExpressionBuilder<Database, 'user_tokens'>, boundTo: TokenBinding) {
  return eb.exists(
    eb
      .selectFrom('users')
      .select('users.id')
      .whereRef('users.id', '=', 'user_tokens.user_id')
      .whereRef(`users.${boundTo}`, '=', 'user_tokens.sent_to')
      .where('users.deleted_at', 'is', null),
  )
}

/**
 * Issues a single-use email token: 256 random bits, only the SHA-256 of the string kept.
 * With `replace`, earlier tokens of the same purpose for the user stop working.
 */
export async function issueEmailToken(
  ctx: SigraContext,
  trx: Trx,
  input: { userId: string; context: TokenContext; sentTo: string; ttlSeconds: number; replace?: boolean },
): Promise<string> {
  if (input.replace) {
    await trx.deleteFrom('user_tokens').where('user_id', '=', input.userId).where('context', '=', input.context).execute()
  }
  const token = randomSecret()
  const at = ctx.config.clock()
  await trx
    .insertInto('user_tokens')
    .values({ user_id: input.userId, digest: digest(token), context: input.context, sent_to: input.sentTo, created_at: at, expires_at: addSeconds(at, input.ttlSeconds) })
    .execute()
  return token
}

/**
 * Consumes a token in one statement: it must exist, be of this purpose, unexpired, unused, and
 * still addressed to the user's current email (or pending email, for changes). Of two parallel
 * calls exactly one gets the row. Malformed input returns null without touching the database.
 */
export async function consumeEmailToken(
  ctx: SigraContext,
  trx: Trx,
  token: unknown,
  context: TokenContext,
  boundTo: TokenBinding = 'email',
): Promise<UserTokenRow | null> {
  if (!isWellFormedSecret(token)) return null
  const at = ctx.config.clock()
  const row = await trx
    .updateTable('user_tokens')
    .set({ used_at: at })
    .where('digest', '=', digest(token))
    .where('context', '=', context)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .where((eb) => addressedToLiveUser(eb, boundTo))
    .returningAll()
    .executeTakeFirst()
  return row ?? null
}

/**
 * Whether `consumeEmailToken` would take this token now, without taking it: the same conditions
 * as a read (for a link's page, before anyone clicks). Malformed input is false without a query.
 */
export async function isRedeemableEmailToken(ctx: SigraContext, db: Executor, token: unknown, context: TokenContext, boundTo: TokenBinding = 'email'): Promise<boolean> {
  if (!isWellFormedSecret(token)) return false
  const row = await db
    .selectFrom('user_tokens')
    .select('id')
    .where('digest', '=', digest(token))
    .where('context', '=', context)
    .where('used_at', 'is', null)
    .where('expires_at', '>', ctx.config.clock())
    .where((eb) => addressedToLiveUser(eb, boundTo))
    .executeTakeFirst()
  return row !== undefined
}

/** Reads a live token without consuming it (to validate input before the consuming transaction). */
export async function peekEmailToken(ctx: SigraContext, db: Executor, token: unknown, context: TokenContext): Promise<UserTokenRow | null> {
  if (!isWellFormedSecret(token)) return null
  const row = await db
    .selectFrom('user_tokens')
    .selectAll()
    .where('digest', '=', digest(token))
    .where('context', '=', context)
    .where('used_at', 'is', null)
    .where('expires_at', '>', ctx.config.clock())
    .executeTakeFirst()
  return row ?? null
}

/**
 * Consumes a token taking locks in the project-wide order (user row, then token row), the order
 * email-change confirmation uses too, so two flows on one account wait for each other instead of
 * deadlocking. The token is still consumed by the one atomic UPDATE.
 */
export async function consumeEmailTokenForUser(
  ctx: SigraContext,
  trx: Trx,
  token: unknown,
  context: TokenContext,
): Promise<UserTokenRow | null> {
  const seen = await peekEmailToken(ctx, trx, token, context)
  if (!seen) return null
  await trx.selectFrom('users').select('id').where('id', '=', seen.user_id).forUpdate().executeTakeFirst()
  return consumeEmailToken(ctx, trx, token, context)
}
