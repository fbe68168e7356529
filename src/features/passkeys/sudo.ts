import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { markSudo } from '../../sessions/sudo.ts'
import { validateSession } from '../../sessions/validate-session.ts'
import type { User } from '../../users/user.ts'
import { checkAssertion } from './assertion.ts'
import { consumeChallenge, issueChallenge } from './challenges.ts'
import { credentialsOf, descriptors } from './credentials.ts'
import type { PasskeysContext } from './passkeys-context.ts'
import { readAuthentication } from './webauthn-input.ts'
import './augment.ts'

async function sudoSession(ctx: PasskeysContext, token: unknown): Promise<{ ok: true; user: User; session: Session } | Failure<'invalid_session' | 'impersonated'>> {
  const current = await validateSession(ctx, token)
  if (!current) return fail('invalid_session')
  if (current.session.impersonatorId) return fail('impersonated')
  return { ok: true, ...current }
}

export type SudoOptionsResult =
  | { ok: true; options: PublicKeyCredentialRequestOptionsJSON; ceremony: string; expiresAt: Date }
  | Failure<'invalid_session' | 'impersonated' | 'no_passkey' | 'rate_limited'>

/**
 * Re-authentication ("sudo") with a passkey: what signing in with it proves, so the same user
 * verification as a passwordless sign-in. The way in for an account without a password; an account
 * with one may use either.
 */
export async function sudoOptions(ctx: PasskeysContext, token: unknown): Promise<SudoOptionsResult> {
  const current = await sudoSession(ctx, token)
  if (!current.ok) return current
  const credentials = await credentialsOf(ctx.db, current.user.id)
  if (credentials.length === 0) return fail('no_passkey')
  const uv = ctx.passkeys.userVerification
  const issued = await issueChallenge(ctx, ctx.db, { kind: 'sudo', userId: current.user.id, sessionId: current.session.id, userVerification: uv })
  const options = await generateAuthenticationOptions({
    rpID: ctx.passkeys.rp.id,
    challenge: issued.bytes,
    timeout: ctx.passkeys.challengeTtl * 1000,
    userVerification: uv,
    allowCredentials: descriptors(credentials) as Array<{ id: string; transports?: never[] }>,
  })
  return { ok: true, options, ceremony: issued.ceremony!, expiresAt: issued.expiresAt }
}

export type ConfirmSudoResult = { ok: true; session: Session } | Failure<'invalid' | 'invalid_credentials' | 'invalid_session' | 'impersonated' | 'rate_limited'>

/**
 * Marks the session sudo-fresh (core's `markSudo`, method `passkey`) after a passkey of its user
 * answered the ceremony this session opened. Attempts count toward core's `sudo` budget per
 * session. Renew the session token afterwards (the route does), as after a password sudo.
 */
export async function confirmSudo(ctx: PasskeysContext, token: unknown, responseInput: unknown, options: { ceremony: unknown }): Promise<ConfirmSudoResult> {
  const current = await sudoSession(ctx, token)
  if (!current.ok) return current
  const limited = await ctx.limiter.consume('sudo', current.session.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })
  const failure = async <E extends 'invalid' | 'invalid_credentials'>(error: E, reason: string, extra: Record<string, unknown> = {}): Promise<Failure<E>> => {
    await writeAudit(ctx, ctx.db, { action: 'passkey.sudo_failure', outcome: 'failure', userId: current.user.id, metadata: { reason, session_id: current.session.id, ...extra } })
    return fail(error)
  }
  const parsed = readAuthentication(responseInput)
  if (!parsed.ok) {
    await failure('invalid', 'malformed')
    return fail('invalid', { issues: parsed.issues })
  }
  const spent = await consumeChallenge(ctx, ctx.db, { kind: 'sudo', ceremony: options?.ceremony, sessionId: current.session.id }, parsed.clientData.challenge)
  if (!spent.ok) return failure('invalid_credentials', spent.reason)
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const check = await checkAssertion(ctx, trx, spent.row, parsed.value, parsed.clientData.challenge, 'sudo')
    if (!check.ok) return check
    await writeAudit(ctx, trx, { action: 'passkey.sudo', userId: current.user.id, metadata: { passkey_id: check.credential.id, session_id: current.session.id } })
    return { ok: true as const, session: await markSudo(ctx, trx, { sessionId: current.session.id, userId: current.user.id, method: 'passkey' }) }
  })
  if (outcome.ok) return outcome
  return failure('invalid_credentials', outcome.reason, outcome.detail ? { detail: outcome.detail } : {})
}
