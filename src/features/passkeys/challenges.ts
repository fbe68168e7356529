import { randomBytes } from 'node:crypto'
import { addSeconds } from '../../kernel/clock.ts'
import { constantTimeEqual, digest, isWellFormedSecret, randomSecret } from '../../kernel/crypto/token.ts'
import type { Executor } from '../../kernel/db/database.ts'
import { passkeysDb, type PasskeysContext } from './passkeys-context.ts'
import type { PasskeysTables } from './tables.ts'

export type CeremonyKind = 'registration' | 'authentication' | 'second_factor' | 'sudo'
export type ChallengeRow = PasskeysTables['passkey_challenges'] & { id: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface IssuedChallenge {
  /** 32 random bytes, for the options. */
  bytes: Uint8Array<ArrayBuffer>
  /** The same, base64url: what the browser signs over and sends back in its client data. */
  challenge: string
  /** The opaque ceremony id the browser keeps (in the ceremony cookie), or null for a registration. */
  ceremony: string | null
  expiresAt: Date
}

/**
 * Opens a ceremony: a random challenge, stored only as its digest, valid `challengeTtl` seconds.
 * A registration is bound to its session (one at a time: a new one replaces the previous); every
 * other ceremony gets an opaque id the browser must present (and, for the second factor and sudo,
 * the session too).
 */
export async function issueChallenge(
  ctx: PasskeysContext,
  db: Executor,
  input: { kind: CeremonyKind; userId: string | null; anyUser?: boolean; sessionId: string | null; userVerification: 'required' | 'preferred' },
): Promise<IssuedChallenge> {
  const at = ctx.config.clock()
  const bytes = new Uint8Array(randomBytes(32))
  const challenge = Buffer.from(bytes).toString('base64url')
  const ceremony = input.kind === 'registration' ? null : randomSecret()
  const expiresAt = addSeconds(at, ctx.passkeys.challengeTtl)
  if (input.kind === 'registration' && input.sessionId) {
    await passkeysDb(db).deleteFrom('passkey_challenges').where('kind', '=', 'registration').where('session_id', '=', input.sessionId).execute()
  }
  await passkeysDb(db)
    .insertInto('passkey_challenges')
    .values({
      kind: input.kind,
      ceremony_digest: ceremony ? digest(ceremony) : null,
      challenge_digest: digest(challenge),
      user_id: input.userId,
      any_user: input.anyUser === true,
      session_id: input.sessionId,
      user_verification: input.userVerification,
      created_at: at,
      expires_at: expiresAt,
    })
    .execute()
  return { bytes, challenge, ceremony, expiresAt }
}

export type Consumed = { ok: true; row: ChallengeRow } | { ok: false; reason: 'no_ceremony' | 'expired' | 'challenge_mismatch' }

/**
 * Spends a ceremony in one statement (DELETE … RETURNING: of two uses one wins, a replay finds
 * nothing), whatever the answer turns out to be, then checks it: not expired, and the challenge the
 * browser signed is the one this ceremony issued (a challenge of another ceremony, or another
 * browser's, fails here).
 */
export async function consumeChallenge(
  ctx: PasskeysContext,
  db: Executor,
  where: { kind: CeremonyKind; ceremony?: unknown; sessionId?: string | null; userId?: string | null },
  signedChallenge: string,
): Promise<Consumed> {
  let query = passkeysDb(db).deleteFrom('passkey_challenges').where('kind', '=', where.kind)
  if (where.kind === 'registration') {
    if (typeof where.sessionId !== 'string' || !UUID.test(where.sessionId) || typeof where.userId !== 'string') return { ok: false, reason: 'no_ceremony' }
    query = query.where('session_id', '=', where.sessionId).where('user_id', '=', where.userId)
  } else {
    if (!isWellFormedSecret(where.ceremony)) return { ok: false, reason: 'no_ceremony' }
    query = query.where('ceremony_digest', '=', digest(where.ceremony))
    if (where.sessionId !== undefined) {
      if (typeof where.sessionId !== 'string' || !UUID.test(where.sessionId)) return { ok: false, reason: 'no_ceremony' }
      query = query.where('session_id', '=', where.sessionId)
    }
  }
  const row = (await query.returningAll().executeTakeFirst()) as ChallengeRow | undefined
  if (!row) return { ok: false, reason: 'no_ceremony' }
  if (row.expires_at.getTime() <= ctx.config.clock().getTime()) return { ok: false, reason: 'expired' }
  if (!constantTimeEqual(row.challenge_digest, digest(signedChallenge))) return { ok: false, reason: 'challenge_mismatch' }
  return { ok: true, row }
}

/** For the sweep: ceremonies nobody finished. */
export async function deleteExpiredChallenges(ctx: PasskeysContext): Promise<number> {
  const gone = await passkeysDb(ctx.db).deleteFrom('passkey_challenges').where('expires_at', '<=', ctx.config.clock()).executeTakeFirst()
  return Number(gone.numDeletedRows)
}
