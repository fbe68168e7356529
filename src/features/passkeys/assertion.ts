import { verifyAuthenticationResponse, type AuthenticationResponseJSON, type WebAuthnCredential } from '@simplewebauthn/server'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { Trx } from '../../kernel/db/database.ts'
import type { ChallengeRow } from './challenges.ts'
import { lockCredential, userHandle, type CredentialRow } from './credentials.ts'
import { passkeysDb, type PasskeysContext } from './passkeys-context.ts'
import { checkSignCount } from './sign-count.ts'

export type AssertionCheck =
  | { ok: true; credential: CredentialRow; userVerified: boolean }
  | { ok: false; reason: string; userId: string | null; detail?: string }

/** A verifier's message, for the audit row only: printable ASCII, short (it may quote what the browser sent). */
export function auditDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 160)
}

/**
 * Checks an assertion (`navigator.credentials.get()`'s answer) inside the caller's transaction, for
 * a ceremony already spent and whose challenge already matched:
 * - the credential exists, is locked for the rest of the transaction, and may answer this ceremony
 *   (the ceremony's user's, unless it was a discoverable sign-in); a user handle, when sent, names
 *   the credential's owner;
 * - the signature, the RP ID hash, the origin, the type, user presence and, when the ceremony asked
 *   for it, user verification are checked by `@simplewebauthn/server`;
 * - the signature counter follows the policy (`checkSignCount`): a regression is audited
 *   (`passkey.counter_regression`) and refused or flagged;
 * - the credential's counter, last use and backup state are updated.
 */
export async function checkAssertion(
  ctx: PasskeysContext,
  trx: Trx,
  ceremony: ChallengeRow,
  response: AuthenticationResponseJSON,
  signedChallenge: string,
  purpose: 'sign_in' | 'second_factor' | 'sudo',
): Promise<AssertionCheck> {
  const credential = await lockCredential(trx, response.id)
  if (!credential) return { ok: false, reason: 'unknown_credential', userId: ceremony.user_id }
  if (!ceremony.any_user && ceremony.user_id !== credential.user_id) return { ok: false, reason: 'not_allowed', userId: credential.user_id }
  const handle = response.response.userHandle
  if (handle !== undefined && handle !== Buffer.from(userHandle(credential.user_id)).toString('base64url')) {
    return { ok: false, reason: 'user_handle_mismatch', userId: credential.user_id }
  }

  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: signedChallenge,
      expectedOrigin: [...ctx.passkeys.rp.origins],
      expectedRPID: ctx.passkeys.rp.id,
      expectedType: 'webauthn.get',
      // The counter rule is ours (`checkSignCount`, with its policy): the verifier is given 0 so it never refuses on it.
      credential: { id: credential.credential_id, publicKey: new Uint8Array(credential.public_key), counter: 0, transports: credential.transports as WebAuthnCredential['transports'] },
      requireUserVerification: ceremony.user_verification === 'required',
    })
  } catch (error) {
    return { ok: false, reason: 'verification_failed', userId: credential.user_id, detail: auditDetail(error) }
  }
  if (!verified.verified) return { ok: false, reason: 'verification_failed', userId: credential.user_id }
  const info = verified.authenticationInfo

  const stored = Number(credential.counter)
  const verdict = checkSignCount(stored, info.newCounter, ctx.passkeys.counterPolicy)
  if (verdict.regression) {
    await writeAudit(ctx, trx, {
      action: 'passkey.counter_regression',
      outcome: verdict.accept ? 'success' : 'failure',
      userId: credential.user_id,
      metadata: { passkey_id: credential.id, stored, received: info.newCounter, policy: ctx.passkeys.counterPolicy, purpose, accepted: verdict.accept },
    })
    if (!verdict.accept) return { ok: false, reason: 'counter_regression', userId: credential.user_id }
  }
  const at = ctx.config.clock()
  await passkeysDb(trx)
    .updateTable('passkey_credentials')
    .set({ counter: String(verdict.next), last_used_at: at, backed_up: info.credentialBackedUp, ...(verdict.regression ? { counter_regressed_at: at } : {}) })
    .where('id', '=', credential.id)
    .execute()
  return { ok: true, credential, userVerified: info.userVerified }
}
