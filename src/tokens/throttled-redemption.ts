import type { SigraContext } from '../kernel/context.ts'
import { fail, type Failure } from '../kernel/result.ts'

/**
 * Redeems an emailed token (confirm, reset, email change, and every feature's token kinds) under
 * the per-IP budget of failed redemptions (`tokenFailuresIp`): an IP that has spent it is refused
 * before the lookup, and every `invalid_token` answer spends one point. Tokens are 256-bit, so this
 * is defence in depth against guessing, and it costs a valid link nothing. Without an IP (a call
 * serving no request) nothing is counted.
 */
export async function throttledRedemption<R extends { ok: boolean; error?: string }>(
  ctx: SigraContext,
  ip: string | null | undefined,
  redeem: () => Promise<R>,
): Promise<R | Failure<'rate_limited'>> {
  const from = ip ?? ctx.request?.ip ?? null
  if (from) {
    const verdict = await ctx.limiter.peek('tokenFailuresIp', from)
    if (!verdict.ok) return fail('rate_limited', { retryAfter: verdict.retryAfter })
  }
  const result = await redeem()
  if (from && !result.ok && result.error === 'invalid_token') await ctx.limiter.penalize('tokenFailuresIp', from)
  return result
}
