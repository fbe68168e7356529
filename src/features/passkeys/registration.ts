import { generateRegistrationOptions, verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import { liveUser, lockLiveUser } from '../../account/account-guards.ts'
import { link } from '../../auth/links.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { Executor } from '../../kernel/db/database.ts'
import type { UserRow } from '../../kernel/db/tables/users.table.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, type Failure, type FieldIssue } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { pendingSteps } from '../../sessions/sign-in-steps.ts'
import { requireSudoSession, type SudoCheck } from '../../sessions/sudo.ts'
import { sessionExpiry } from '../../sessions/validate-session.ts'
import { toUser, type User } from '../../users/user.ts'
import { defaultLabel } from './aaguids.ts'
import { auditDetail } from './assertion.ts'
import type { Passkey } from './augment.ts'
import { consumeChallenge, issueChallenge } from './challenges.ts'
import { countCredentials, credentialsOf, descriptors, toPasskey, userHandle, type CredentialRow } from './credentials.ts'
import { passkeysDb, type PasskeysContext } from './passkeys-context.ts'
import { readRegistration } from './webauthn-input.ts'
import './augment.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const LABEL_MAX = 64

/** What `requireSudoSession` may refuse with (no fresh sudo, a pending step, …). */
type SudoRefusal = Extract<SudoCheck, { ok: false }>['error']

export type RegistrationGate = { ok: true } | Failure<SudoRefusal>

/**
 * Who may register a passkey from a session:
 * - an account that can already sign in another way (a password, or a passkey) needs a sudo-fresh
 *   session: a stolen session alone cannot add a way in;
 * - an account with no way yet (no password, no passkey: an account made by an invitation, an OAuth
 *   or magic-link feature) has nothing to re-enter, so its session may register without sudo while
 *   its sign-in is fresh (younger than `sessions.sudoTtl`, not impersonated, every sign-in step
 *   passed). After that it needs sudo like anyone.
 */
export async function registrationGate(ctx: PasskeysContext, db: Executor, row: UserRow, session: Pick<Session, 'id'> | null | undefined): Promise<RegistrationGate> {
  const id = session?.id
  if (row.hashed_password === null && (await countCredentials(db, row.id)) === 0 && typeof id === 'string' && UUID.test(id)) {
    const s = await db.selectFrom('sessions').selectAll().where('id', '=', id).where('user_id', '=', row.id).executeTakeFirst()
    const at = ctx.config.clock()
    const fresh = s && !s.impersonator_id && !sessionExpiry(ctx, s, at) && at.getTime() < s.created_at.getTime() + ctx.config.sessions.sudoTtl * 1000
    if (fresh && pendingSteps(ctx.pipeline, s.pending_steps, toUser(row)).length === 0) return { ok: true }
  }
  const check = await requireSudoSession(ctx, db, row.id, session, { operation: 'passkey.register' })
  return check.ok ? { ok: true } : fail(check.error)
}

export type RegistrationOptionsResult =
  | { ok: true; options: PublicKeyCredentialCreationOptionsJSON; expiresAt: Date }
  | Failure<SudoRefusal | 'not_found'>

/**
 * The options for `navigator.credentials.create()`: this RP, the user (an opaque handle, the email
 * as the name the authenticator shows), a fresh challenge bound to this session, a discoverable
 * credential preferred, user verification as configured, and the user's existing passkeys
 * excluded (an authenticator that already holds one says so instead of making a second).
 */
export async function registrationOptions(ctx: PasskeysContext, user: Pick<User, 'id'>, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<RegistrationOptionsResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const gate = await registrationGate(ctx, ctx.db, row, options.session)
  if (!gate.ok) return gate
  const existing = await credentialsOf(ctx.db, row.id)
  const uv = ctx.passkeys.userVerification
  const issued = await issueChallenge(ctx, ctx.db, { kind: 'registration', userId: row.id, sessionId: options.session!.id, userVerification: uv })
  const created = await generateRegistrationOptions({
    rpName: ctx.passkeys.rp.name,
    rpID: ctx.passkeys.rp.id,
    userID: userHandle(row.id),
    userName: row.email,
    userDisplayName: row.username ?? row.email,
    challenge: issued.bytes,
    timeout: ctx.passkeys.challengeTtl * 1000,
    attestationType: 'none',
    excludeCredentials: descriptors(existing) as Array<{ id: string; transports?: never[] }>,
    authenticatorSelection: { residentKey: 'preferred', userVerification: uv },
    extensions: { credProps: true } as Record<string, unknown>,
  })
  return { ok: true, options: created, expiresAt: issued.expiresAt }
}

export type VerifyRegistrationResult = { ok: true; passkey: Passkey } | Failure<'invalid' | 'challenge_expired' | 'not_found'>

const labelIssue = (message: string): FieldIssue[] => [{ field: 'label', code: 'invalid_format', message }]

/** A label as typed: trimmed, 1–64 characters, printable; undefined/empty means "use the default". */
export function readLabel(input: unknown): { ok: true; label: string | null } | { ok: false; issues: FieldIssue[] } {
  if (input === undefined || input === null) return { ok: true, label: null }
  if (typeof input !== 'string') return { ok: false, issues: labelIssue('The name must be text.') }
  const label = input.normalize('NFC').replace(/\s+/g, ' ').trim()
  if (label === '') return { ok: true, label: null }
  if ([...label].length > LABEL_MAX) return { ok: false, issues: labelIssue(`The name can be at most ${LABEL_MAX} characters.`) }
  // Control characters (NUL cannot even be stored) and lone surrogates (in `u` mode, only unpaired ones match).
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(label) || /[\ud800-\udfff]/u.test(label)) {
    return { ok: false, issues: labelIssue('The name holds characters that cannot be shown.') }
  }
  return { ok: true, label }
}

/**
 * Checks `navigator.credentials.create()`'s answer for the ceremony this session opened (spent in
 * one statement, whatever the outcome) and stores the credential: ID, COSE public key, counter,
 * transports, AAGUID, backup eligibility and state, a label (the typed one, else the model's name
 * from its AAGUID). In one transaction with its audit row, the mail to the user and `passkeyAdded`.
 * The sudo rule was applied when the options were issued; the ceremony carries it (single use,
 * bound to the session, 5 minutes).
 */
export async function verifyRegistration(
  ctx: PasskeysContext,
  user: Pick<User, 'id'>,
  responseInput: unknown,
  options: { session?: Pick<Session, 'id'> | null; label?: unknown } = {},
): Promise<VerifyRegistrationResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const failure = async (reason: string, error: 'invalid' | 'challenge_expired', extra: { issues?: FieldIssue[]; detail?: string } = {}): Promise<VerifyRegistrationResult> => {
    await writeAudit(ctx, ctx.db, { action: 'passkey.register_failure', outcome: 'failure', userId: row.id, metadata: { reason, ...(extra.detail ? { detail: extra.detail } : {}) } })
    return fail(error, extra.issues ? { issues: extra.issues } : {})
  }
  const label = readLabel(options.label)
  if (!label.ok) return fail('invalid', { issues: label.issues })
  const parsed = readRegistration(responseInput)
  if (!parsed.ok) return failure('malformed', 'invalid', { issues: parsed.issues })
  const spent = await consumeChallenge(ctx, ctx.db, { kind: 'registration', sessionId: options.session?.id ?? null, userId: row.id }, parsed.clientData.challenge)
  if (!spent.ok) return failure(spent.reason, spent.reason === 'expired' ? 'challenge_expired' : 'invalid')

  let info
  try {
    const verified = await verifyRegistrationResponse({
      response: parsed.value,
      expectedChallenge: parsed.clientData.challenge,
      expectedOrigin: [...ctx.passkeys.rp.origins],
      expectedRPID: ctx.passkeys.rp.id,
      expectedType: 'webauthn.create',
      requireUserVerification: spent.row.user_verification === 'required',
    })
    if (!verified.verified) return failure('verification_failed', 'invalid')
    info = verified.registrationInfo
  } catch (error) {
    return failure('verification_failed', 'invalid', { detail: auditDetail(error) })
  }
  if (info.credential.id !== parsed.value.id) return failure('credential_id_mismatch', 'invalid')

  return ctx.db.transaction().execute(async (trx): Promise<VerifyRegistrationResult> => {
    const owner = await lockLiveUser(trx, row)
    if (!owner) return fail('not_found')
    const taken = (await credentialsOf(trx, owner.id)).map((c) => c.label)
    const transports = [...new Set(parsed.value.response.transports ?? [])]
    const at = ctx.config.clock()
    const inserted = (await passkeysDb(trx)
      .insertInto('passkey_credentials')
      .values({
        user_id: owner.id,
        credential_id: info.credential.id,
        public_key: info.credential.publicKey,
        counter: String(info.credential.counter),
        transports,
        aaguid: info.aaguid,
        backup_eligible: info.credentialDeviceType === 'multiDevice',
        backed_up: info.credentialBackedUp,
        label: label.label ?? defaultLabel(info.aaguid, transports, taken),
        created_at: at,
        last_used_at: null,
        counter_regressed_at: null,
      })
      .onConflict((oc) => oc.column('credential_id').doNothing())
      .returningAll()
      .executeTakeFirst()) as CredentialRow | undefined
    if (!inserted) {
      await writeAudit(ctx, trx, { action: 'passkey.register_failure', outcome: 'failure', userId: owner.id, metadata: { reason: 'already_registered' } })
      return fail('invalid', { issues: [{ field: 'response', code: 'already_registered', message: 'This passkey is already registered.' }] })
    }
    const passkey = toPasskey(inserted)
    await writeAudit(ctx, trx, {
      action: 'passkey.register',
      userId: owner.id,
      metadata: { passkey_id: passkey.id, aaguid: passkey.aaguid, backup_eligible: passkey.backupEligible, user_verified: info.userVerified, label: passkey.label },
    })
    await enqueueMail(ctx, trx, { to: owner.email, userId: owner.id, template: 'passkeyAdded', data: { label: passkey.label, settingsUrl: link(ctx.config, 'settings') } })
    await ctx.events.emit(trx, 'passkeyAdded', { user: toUser(owner), passkey }, ctx.request)
    return { ok: true, passkey }
  })
}
