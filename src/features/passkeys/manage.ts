import { liveUser, lockLiveUser } from '../../account/account-guards.ts'
import { link } from '../../auth/links.ts'
import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { Executor, Trx } from '../../kernel/db/database.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, type Failure, type FieldIssue } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { requireSudoSession, type SudoCheck } from '../../sessions/sudo.ts'
import { toUser, type User } from '../../users/user.ts'
import type { Passkey } from './augment.ts'
import { credentialsOf, toPasskey, type CredentialRow } from './credentials.ts'
import { passkeysDb, type PasskeysContext } from './passkeys-context.ts'
import { readLabel } from './registration.ts'
import './augment.ts'
import { signInMethodCount } from '../../users/sign-in-methods.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The user's passkeys, oldest first: label, model, created, last used, synced or not. Never key material. */
export async function list(ctx: PasskeysContext, user: Pick<User, 'id'>): Promise<Passkey[]> {
  const row = await liveUser(ctx.db, user)
  if (!row) return []
  return (await credentialsOf(ctx.db, row.id)).map(toPasskey)
}

export type RenameResult = { ok: true; passkey: Passkey } | Failure<'invalid' | 'not_found'>

/** Renames one of the user's passkeys (another user's id is `not_found`, and on record). */
export async function rename(ctx: PasskeysContext, user: Pick<User, 'id'>, id: unknown, labelInput: unknown): Promise<RenameResult> {
  const label = readLabel(labelInput)
  if (!label.ok) return fail('invalid', { issues: label.issues })
  if (label.label === null) return fail('invalid', { issues: [{ field: 'label', code: 'required', message: 'Enter a name for the passkey.' } satisfies FieldIssue] })
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  return ctx.db.transaction().execute(async (trx): Promise<RenameResult> => {
    const renamed = (typeof id === 'string' && UUID.test(id)
      ? await passkeysDb(trx).updateTable('passkey_credentials').set({ label: label.label! }).where('id', '=', id).where('user_id', '=', row.id).returningAll().executeTakeFirst()
      : undefined) as CredentialRow | undefined
    if (!renamed) {
      await auditDenied(ctx, trx, { actorId: row.id, resource: 'passkey', reason: 'not_found', operation: 'passkey.rename', ...(typeof id === 'string' ? { resourceId: id.slice(0, 64) } : {}) })
      return fail('not_found')
    }
    await writeAudit(ctx, trx, { action: 'passkey.rename', userId: row.id, metadata: { passkey_id: renamed.id, label: renamed.label } })
    return { ok: true, passkey: toPasskey(renamed) }
  })
}

export type RemoveResult = { ok: true } | Failure<'not_found' | 'last_method' | Extract<SudoCheck, { ok: false }>['error']>

/**
 * Removes one of the user's passkeys: needs a sudo-fresh session. Refused with `last_method` when it
 * is the only way left to sign in (no password, no other passkey, no provider account), decided under the user's row
 * lock so two parallel removals cannot both pass. Another user's id is `not_found` (audited
 * `authz.denied`). The user is mailed; `passkeyRemoved` fires.
 */
export async function remove(ctx: PasskeysContext, user: Pick<User, 'id'>, id: unknown, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<RemoveResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  // Said before sudo is asked (no point confirming it is you to be refused), and decided again under the lock below.
  if (typeof id === 'string') {
    const credentials = await credentialsOf(ctx.db, row.id)
    if (credentials.some((c) => c.id === id) && (await signInMethodCount(ctx, ctx.db, row)) <= 1) {
      await auditDenied(ctx, ctx.db, { actorId: row.id, resource: 'passkey', reason: 'last_method', operation: 'passkey.remove', resourceId: id })
      return fail('last_method')
    }
  }
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'passkey.remove' })
  if (!check.ok) return fail(check.error)
  return ctx.db.transaction().execute(async (trx): Promise<RemoveResult> => {
    const owner = await lockLiveUser(trx, row)
    if (!owner) return fail('not_found')
    const credentials = await credentialsOf(trx, owner.id)
    const target = typeof id === 'string' ? credentials.find((c) => c.id === id) : undefined
    if (!target) {
      await auditDenied(ctx, trx, { actorId: owner.id, resource: 'passkey', reason: 'not_found', operation: 'passkey.remove', ...(typeof id === 'string' ? { resourceId: id.slice(0, 64) } : {}) })
      return fail('not_found')
    }
    // The only way left to sign in: no password, no other passkey, no provider account (every
    // feature's ways, counted in this transaction under the row lock: see signInMethodCount).
    if ((await signInMethodCount(ctx, trx, owner)) <= 1) {
      await auditDenied(ctx, trx, { actorId: owner.id, resource: 'passkey', reason: 'last_method', operation: 'passkey.remove', resourceId: target.id })
      return fail('last_method')
    }
    await passkeysDb(trx).deleteFrom('passkey_credentials').where('id', '=', target.id).execute()
    const passkey = toPasskey(target)
    await writeAudit(ctx, trx, { action: 'passkey.remove', userId: owner.id, metadata: { passkey_id: passkey.id, label: passkey.label } })
    await enqueueMail(ctx, trx, { to: owner.email, userId: owner.id, template: 'passkeyRemoved', data: { label: passkey.label, settingsUrl: link(ctx.config, 'settings') } })
    await ctx.events.emit(trx, 'passkeyRemoved', { user: toUser(owner), passkey }, ctx.request)
    return { ok: true }
  })
}

/** For `userDeleting`: every credential and open ceremony goes with the account, inside the deletion's transaction. */
export async function removeForDeletion(trx: Trx, userId: string): Promise<void> {
  await passkeysDb(trx).deleteFrom('passkey_credentials').where('user_id', '=', userId).execute()
  await passkeysDb(trx).deleteFrom('passkey_challenges').where('user_id', '=', userId).execute()
}

/** The data export's part: each passkey's label, model, when it was added and last used. */
export async function exportPasskeys(db: Executor, userId: string): Promise<{ passkeys: Array<{ label: string; aaguid: string; createdAt: Date; lastUsedAt: Date | null; synced: boolean }> }> {
  const rows = await credentialsOf(db, userId)
  return { passkeys: rows.map((r) => ({ label: r.label, aaguid: r.aaguid, createdAt: r.created_at, lastUsedAt: r.last_used_at, synced: r.backup_eligible })) }
}
