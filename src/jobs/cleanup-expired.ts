import type { SigraContext } from '../kernel/context.ts'

export interface CleanupReport {
  tokens: number
  sessions: number
}

/** Deletes expired or used email tokens and sessions past their absolute or idle end. Idempotent. */
export async function cleanupExpired(ctx: SigraContext): Promise<CleanupReport> {
  const at = ctx.config.clock()
  const tokens = await ctx.db
    .deleteFrom('user_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', at), eb('used_at', 'is not', null)]))
    .executeTakeFirst()
  const idleCutoff = new Date(at.getTime() - ctx.config.sessions.idleTimeout * 1000)
  const sessions = await ctx.db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', at), eb.and([eb('remember_me', '=', false), eb('last_active_at', '<=', idleCutoff)])]))
    .executeTakeFirst()
  return { tokens: Number(tokens.numDeletedRows), sessions: Number(sessions.numDeletedRows) }
}
