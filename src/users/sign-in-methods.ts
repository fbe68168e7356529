import type { SigraContext } from '../kernel/context.ts'
import type { Executor } from '../kernel/db/database.ts'

/**
 * Every way the account can sign in by itself: its password, plus what each enabled feature counts
 * (passkeys, connected provider accounts). A magic link is not counted: like a password reset, it
 * is a way back in through the mailbox, not a credential the person set up. Read on `db` — pass the
 * transaction that holds the user's row lock, so two parallel removals (a passkey and a provider
 * account, say) cannot both see the other as the remaining way in.
 */
export async function signInMethodCount(ctx: Pick<SigraContext, 'signInMethods'>, db: Executor, user: { id: string; hashed_password: string | null }): Promise<number> {
  let count = user.hashed_password !== null ? 1 : 0
  for (const methods of ctx.signInMethods) count += await methods(db, user.id)
  return count
}
