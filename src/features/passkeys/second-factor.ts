import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { completeSignInStep } from '../../sessions/complete-sign-in-step.ts'
import type { Session } from '../../sessions/session.ts'
import { parseSessionToken } from '../../sessions/session-token.ts'
import { resolveSession, type ResolvedSession } from '../../sessions/validate-session.ts'
import { checkAssertion } from './assertion.ts'
import { consumeChallenge, issueChallenge } from './challenges.ts'
import { credentialsOf, descriptors } from './credentials.ts'
import type { PasskeysContext } from './passkeys-context.ts'
import { readAuthentication } from './webauthn-input.ts'
import './augment.ts'

/**
 * A session held at the MFA step, whose first factor was not a passkey: a passkey may then be the
 * second factor. One whose first factor was a passkey (signed in without user verification) must
 * give another kind of factor: the same passkey twice proves one thing.
 */
async function heldAtMfa(ctx: PasskeysContext, pendingToken: unknown): Promise<{ ok: true; held: ResolvedSession; secret: string } | Failure<'invalid_session' | 'second_factor_unavailable'>> {
  if (!ctx.passkeys.mfa) return fail('invalid_session')
  const held = await resolveSession(ctx, pendingToken)
  const parsed = parseSessionToken(pendingToken)
  if (!held || !parsed || held.pending[0] !== 'mfa') return fail('invalid_session')
  if (held.session.amr.includes('hwk')) return fail('second_factor_unavailable')
  return { ok: true, held, secret: parsed.secret }
}

export type SecondFactorOptionsResult =
  | { ok: true; options: PublicKeyCredentialRequestOptionsJSON; ceremony: string; expiresAt: Date }
  | Failure<'invalid_session' | 'second_factor_unavailable' | 'no_passkey' | 'rate_limited'>

/**
 * The options for a passkey at the MFA challenge: the held session's user's credentials, user
 * verification preferred (a second factor needs possession, not a PIN), a ceremony bound to the
 * held session and to the browser.
 */
export async function secondFactorOptions(ctx: PasskeysContext, pendingToken: unknown): Promise<SecondFactorOptionsResult> {
  const gate = await heldAtMfa(ctx, pendingToken)
  if (!gate.ok) return gate
  const { held } = gate
  const limited = await ctx.limiter.consume('passkeySecondFactor', held.session.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })
  const credentials = await credentialsOf(ctx.db, held.user.id)
  if (credentials.length === 0) return fail('no_passkey')
  const issued = await issueChallenge(ctx, ctx.db, { kind: 'second_factor', userId: held.user.id, sessionId: held.session.id, userVerification: 'preferred' })
  const options = await generateAuthenticationOptions({
    rpID: ctx.passkeys.rp.id,
    challenge: issued.bytes,
    timeout: ctx.passkeys.challengeTtl * 1000,
    userVerification: 'preferred',
    allowCredentials: descriptors(credentials) as Array<{ id: string; transports?: never[] }>,
  })
  return { ok: true, options, ceremony: issued.ceremony!, expiresAt: issued.expiresAt }
}

export type VerifySecondFactorResult =
  | { ok: true; token: string; session: Session }
  | Failure<'invalid' | 'invalid_credentials' | 'invalid_session' | 'second_factor_unavailable' | 'rate_limited'>

/**
 * The MFA challenge passed with a passkey: the assertion is checked for the held session's user
 * (their credential only, for the ceremony this session and browser opened), then in the same
 * transaction the `mfa` step passes (`completeSignInStep`, `amr: ['hwk']`): the token is renewed,
 * the held one stops working. Audited `passkey.second_factor` / `passkey.second_factor_failure`.
 */
export async function verifySecondFactor(ctx: PasskeysContext, pendingToken: unknown, responseInput: unknown, options: { ceremony: unknown }): Promise<VerifySecondFactorResult> {
  const gate = await heldAtMfa(ctx, pendingToken)
  if (!gate.ok) return gate
  const { held, secret } = gate
  const limited = await ctx.limiter.consume('passkeySecondFactor', held.session.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })
  const failure = async <E extends 'invalid' | 'invalid_credentials'>(error: E, reason: string, extra: Record<string, unknown> = {}): Promise<Failure<E>> => {
    await writeAudit(ctx, ctx.db, { action: 'passkey.second_factor_failure', outcome: 'failure', userId: held.user.id, metadata: { reason, session_id: held.session.id, ...extra } })
    return fail(error)
  }
  const parsed = readAuthentication(responseInput)
  if (!parsed.ok) {
    await failure('invalid', 'malformed')
    return fail('invalid', { issues: parsed.issues })
  }
  const spent = await consumeChallenge(ctx, ctx.db, { kind: 'second_factor', ceremony: options?.ceremony, sessionId: held.session.id }, parsed.clientData.challenge)
  if (!spent.ok) return failure('invalid_credentials', spent.reason)

  class Lost extends Error {}
  let outcome: VerifySecondFactorResult | { ok: false; reason: string; detail?: string | undefined }
  try {
    outcome = await ctx.db.transaction().execute(async (trx) => {
      const check = await checkAssertion(ctx, trx, spent.row, parsed.value, parsed.clientData.challenge, 'second_factor')
      if (!check.ok) return { ok: false as const, reason: check.reason, detail: check.detail }
      const passed = await completeSignInStep(ctx, trx, { sessionId: held.session.id, expectedSecret: secret, step: 'mfa', amr: ['hwk'] })
      if (!passed) throw new Lost()
      await writeAudit(ctx, trx, { action: 'passkey.second_factor', userId: held.user.id, metadata: { passkey_id: check.credential.id, session_id: held.session.id, user_verified: check.userVerified } })
      return { ok: true as const, token: passed.token, session: passed.session }
    })
  } catch (error) {
    if (error instanceof Lost) return fail('invalid_session')
    throw error
  }
  if (outcome.ok) return outcome
  if ('reason' in outcome) return failure('invalid_credentials', outcome.reason, outcome.detail ? { detail: outcome.detail } : {})
  return outcome
}
