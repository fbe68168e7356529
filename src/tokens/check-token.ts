import type { SigraContext } from '../kernel/context.ts'
import type { TokenContext } from '../kernel/db/tables/user-tokens.table.ts'
import { fail, type Failure } from '../kernel/result.ts'
import { isRedeemableEmailToken, type TokenBinding } from './email-tokens.ts'
import { throttledRedemption } from './throttled-redemption.ts'

/** What an emailed link is for: confirming the address, resetting the password, or changing the address. */
export type TokenPurpose = TokenContext

export type CheckTokenResult = { ok: true } | Failure<'invalid_token' | 'rate_limited'>

/** Where each kind of link must still point: its redemption binds it to the same address. */
const BOUND_TO: Readonly<Record<TokenPurpose, TokenBinding>> = { confirm: 'email', reset_password: 'email', change_email: 'pending_email' }

/**
 * Whether an emailed link still works, without using it: for the page the link opens, so a dead
 * link says what to do next instead of offering a button that cannot work. It answers what the
 * redemption would about the token (purpose, unused, unexpired, still addressed to the account)
 * and is counted like one: an invalid token spends a point of the per-IP failed-redemption budget
 * (`tokenFailuresIp`), and once that is spent every check answers `rate_limited`. A live link costs nothing.
 */
export async function checkToken(ctx: SigraContext, token: unknown, purpose: TokenPurpose): Promise<CheckTokenResult> {
  return throttledRedemption(ctx, null, async (): Promise<CheckTokenResult> => {
    const boundTo = typeof purpose === 'string' && Object.hasOwn(BOUND_TO, purpose) ? BOUND_TO[purpose] : null
    return boundTo && (await isRedeemableEmailToken(ctx, ctx.db, token, purpose, boundTo)) ? { ok: true } : fail('invalid_token')
  })
}
