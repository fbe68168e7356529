import { createHmac } from 'node:crypto'
import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { isDeletionDue } from '../../account/account-guards.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { normalizeEmail } from '../../kernel/validation/email.ts'
import { signIn, type SignInSuccess } from '../../sessions/sign-in.ts'
import { findUserByEmail, findUserByUsername, findUserById } from '../../users/user-repository.ts'
import { checkAssertion } from './assertion.ts'
import { consumeChallenge, issueChallenge } from './challenges.ts'
import { credentialsOf, descriptors } from './credentials.ts'
import type { PasskeysContext } from './passkeys-context.ts'
import { readAuthentication } from './webauthn-input.ts'
import './augment.ts'

export type AuthenticationOptionsResult =
  | {
      ok: true
      options: PublicKeyCredentialRequestOptionsJSON
      /** The opaque id of this ceremony: the browser keeps it (the routes put it in a short-lived HttpOnly cookie) and presents it with the answer. */
      ceremony: string
      expiresAt: Date
    }
  | Failure<'invalid' | 'rate_limited'>

/**
 * A decoy credential list for a login that has no passkey (unknown, or an account without one):
 * derived from the login and the instance's secret, so asking twice gives the same answer, like a
 * real account's list would, and nothing in the answer tells whether the account exists.
 */
function decoyCredentials(ctx: PasskeysContext, key: string): Array<{ id: string; transports: string[] }> {
  const mac = createHmac('sha256', ctx.config.secret).update(`sigra-passkeys-decoy:${key}`).digest()
  const length = 16 + (mac[0]! % 3) * 16
  const id = Buffer.concat([mac, createHmac('sha256', ctx.config.secret).update(mac).digest()]).subarray(1, 1 + length).toString('base64url')
  return [{ id, transports: ['hybrid', 'internal'] }]
}

/**
 * The options for `navigator.credentials.get()`. Without a login: a discoverable sign-in (the
 * authenticator offers the passkeys it holds for this site; also what conditional mediation, the
 * passkey autofill, uses). With a login (username-first): that account's credentials as
 * `allowCredentials`, and only they may answer; an unknown login gets the same shape of answer.
 * Throttled per IP (options open a ceremony row).
 */
export async function authenticationOptions(ctx: PasskeysContext, input: { login?: unknown } = {}): Promise<AuthenticationOptionsResult> {
  const login = input?.login
  if (login !== undefined && login !== null && (typeof login !== 'string' || login.length > 320)) {
    return fail('invalid', { issues: [{ field: 'login', code: 'invalid_format', message: 'Email or username is too long.' }] })
  }
  const ip = ctx.request?.ip ?? null
  if (ip) {
    const limited = await ctx.limiter.consume('passkeyOptionsIp', ip)
    if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })
  }
  const uv = ctx.passkeys.userVerification
  const trimmed = typeof login === 'string' ? login.trim() : ''
  let allow: Array<{ id: string; transports: string[] }> | undefined
  let userId: string | null = null
  if (trimmed !== '') {
    const key = trimmed.includes('@') ? normalizeEmail(trimmed) : trimmed.toLowerCase()
    const row = trimmed.includes('@') ? await findUserByEmail(ctx.db, key) : await findUserByUsername(ctx.db, key)
    const usable = row && row.status === 'active' && row.deleted_at === null && !isDeletionDue(row, ctx.config.clock())
    const credentials = usable ? await credentialsOf(ctx.db, row.id) : []
    if (usable && credentials.length > 0) {
      allow = descriptors(credentials)
      userId = row.id
    } else {
      allow = decoyCredentials(ctx, key)
    }
  }
  const issued = await issueChallenge(ctx, ctx.db, { kind: 'authentication', userId, anyUser: allow === undefined, sessionId: null, userVerification: uv })
  const options = await generateAuthenticationOptions({
    rpID: ctx.passkeys.rp.id,
    challenge: issued.bytes,
    timeout: ctx.passkeys.challengeTtl * 1000,
    userVerification: uv,
    ...(allow ? { allowCredentials: allow as Array<{ id: string; transports?: never[] }> } : {}),
  })
  return { ok: true, options, ceremony: issued.ceremony!, expiresAt: issued.expiresAt }
}

export interface VerifyAuthenticationOptions {
  /** The ceremony id `authenticationOptions` gave (over HTTP: the ceremony cookie). */
  ceremony: unknown
  ip?: string | null
  userAgent?: string | null
  rememberMe?: boolean
  /** The browser's previous session token: that session ends, as at every sign-in. */
  previousToken?: string | null
  /** A device-trust token, for the sign-in steps that honour one (MFA's "trust this device"). */
  trustToken?: string | null
}

export type VerifyAuthenticationResult = SignInSuccess | Failure<'invalid' | 'invalid_credentials' | 'rate_limited' | 'unconfirmed' | 'vetoed'>

/**
 * Signs in with a passkey, like `auth.logIn` with a password: failures are throttled per IP before
 * anything is looked up (`passkeySignInIp`, spent by each failure), the ceremony is spent in one
 * statement, the assertion is checked (`checkAssertion`), and the session is made by core's
 * `signIn`, so every sign-in step applies. With user verification the passkey proved two factors
 * (`amr: ['hwk', 'user']`: MFA is satisfied); without (allowed only with `userVerification:
 * 'preferred'`) it is a first factor (`amr: ['hwk']`) and MFA holds the session. Every failure is
 * `invalid_credentials` (a malformed answer: `invalid`), audited `passkey.sign_in_failure`.
 */
export async function verifyAuthentication(ctx: PasskeysContext, responseInput: unknown, options: VerifyAuthenticationOptions): Promise<VerifyAuthenticationResult> {
  const ip = options?.ip ?? ctx.request?.ip ?? null
  const userAgent = options?.userAgent ?? ctx.request?.userAgent ?? null
  if (ip) {
    const verdict = await ctx.limiter.peek('passkeySignInIp', ip)
    if (!verdict.ok) return fail('rate_limited', { retryAfter: verdict.retryAfter })
  }
  const failure = async <E extends 'invalid' | 'invalid_credentials'>(error: E, reason: string, userId: string | null, extra: Record<string, unknown> = {}, db = ctx.db): Promise<Failure<E>> => {
    await writeAudit(ctx, db, { action: 'passkey.sign_in_failure', outcome: 'failure', userId, ip, userAgent, metadata: { reason, ...extra } })
    if (ip) await ctx.limiter.penalize('passkeySignInIp', ip)
    return fail(error)
  }
  const parsed = readAuthentication(responseInput)
  if (!parsed.ok) {
    await failure('invalid', 'malformed', null)
    return fail('invalid', { issues: parsed.issues })
  }
  const spent = await consumeChallenge(ctx, ctx.db, { kind: 'authentication', ceremony: options?.ceremony }, parsed.clientData.challenge)
  if (!spent.ok) return failure('invalid_credentials', spent.reason, null)

  const checked = await ctx.db.transaction().execute(async (trx) => {
    const check = await checkAssertion(ctx, trx, spent.row, parsed.value, parsed.clientData.challenge, 'sign_in')
    if (!check.ok) return check
    const user = await findUserById(trx, check.credential.user_id)
    const at = ctx.config.clock()
    if (!user || user.status !== 'active' || user.deleted_at !== null || isDeletionDue(user, at)) {
      return { ok: false as const, reason: user ? (user.deleted_at || isDeletionDue(user, at) ? 'deletion_due' : `status_${user.status}`) : 'unknown_account', userId: check.credential.user_id }
    }
    if (ctx.config.requireConfirmation && user.confirmed_at === null) return { ok: false as const, reason: 'unconfirmed', userId: user.id }
    await writeAudit(ctx, trx, {
      action: 'passkey.sign_in',
      userId: user.id,
      ip,
      userAgent,
      metadata: { passkey_id: check.credential.id, user_verified: check.userVerified },
    })
    return { ok: true as const, user, userVerified: check.userVerified, passkeyId: check.credential.id }
  })
  if (!checked.ok) {
    if (checked.reason === 'unconfirmed') {
      await writeAudit(ctx, ctx.db, { action: 'passkey.sign_in_failure', outcome: 'failure', userId: checked.userId, ip, userAgent, metadata: { reason: 'unconfirmed' } })
      return fail('unconfirmed')
    }
    return failure('invalid_credentials', checked.reason, checked.userId, 'detail' in checked && checked.detail ? { detail: checked.detail } : {})
  }
  return signIn(ctx, {
    user: checked.user,
    method: 'passkey',
    amr: checked.userVerified ? ['hwk', 'user'] : ['hwk'],
    rememberMe: options?.rememberMe === true,
    previousToken: options?.previousToken ?? null,
    trustToken: options?.trustToken ?? null,
    ip,
    userAgent,
    auditMetadata: { passkey_id: checked.passkeyId, user_verified: checked.userVerified },
  })
}
