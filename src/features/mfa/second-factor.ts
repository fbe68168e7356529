import { sql } from 'kysely'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { User } from '../../users/user.ts'
import { link } from '../../auth/links.ts'
import { consumeBackupCode } from './backup-codes.ts'
import { mfaDb, type MfaContext } from './mfa-context.ts'
import { lockedFor, recordSecondFactorFailure } from './second-factor-lockout.ts'
import { matchTotp } from './totp.ts'
import './augment.ts'

/** A second-factor proof: a code from the authenticator app, or one of the backup codes. */
export type SecondFactorProof = { code: string } | { backupCode: string }

export type SecondFactorCheck =
  | { ok: true; method: 'totp' | 'backup_code'; remaining?: number }
  | Failure<'invalid' | 'invalid_code' | 'locked' | 'not_enabled'>

/** The proof, checked for shape only (strings, sizes): what the user typed is never stored. */
export function readProof(input: unknown): SecondFactorProof | null {
  if (!input || typeof input !== 'object') return null
  const { code, backupCode } = input as { code?: unknown; backupCode?: unknown }
  if (typeof code === 'string' && code.length <= 16) return { code: code.replace(/\s/g, '') }
  if (typeof backupCode === 'string' && backupCode.length <= 32) return { backupCode }
  return null
}

/**
 * Checks a second factor for a user, inside the caller's transaction, with the user's TOTP row
 * locked for it (parallel checks of one account queue, so none escapes the count):
 * - a locked second factor answers `locked` (and the attempt still counts);
 * - a TOTP code is accepted for the step before, now or after, once: its step must be later than
 *   the last one accepted (replay), recorded in the same statement;
 * - a backup code is spent in one statement (of parallel uses one wins), the owner is mailed how
 *   many remain, `backupCodeUsed` fires;
 * - a wrong proof counts toward the MFA lockout (audited `mfa.verify_failure`, and `mfa.lockout`
 *   when it locks). A success clears the count.
 */
export async function checkSecondFactor(ctx: MfaContext, trx: Trx, user: User, proof: SecondFactorProof, purpose: string): Promise<SecondFactorCheck> {
  const at = ctx.config.clock()
  const row = await mfaDb(trx).selectFrom('mfa_totp').selectAll().where('user_id', '=', user.id).where('confirmed_at', 'is not', null).forUpdate().executeTakeFirst()
  if (!row) return fail('not_enabled')
  const failure = async (): Promise<SecondFactorCheck> => {
    const counted = await recordSecondFactorFailure(ctx, trx, user.id)
    await writeAudit(ctx, trx, { action: 'mfa.verify_failure', outcome: 'failure', userId: user.id, metadata: { purpose, method: 'code' in proof ? 'totp' : 'backup_code', attempts: counted.attempts } })
    if (counted.justLocked) await writeAudit(ctx, trx, { action: 'mfa.lockout', outcome: 'failure', userId: user.id, actorId: null, actorType: 'system', metadata: { attempts: counted.attempts } })
    return counted.locked ? fail('locked', { retryAfter: ctx.mfa.lockout.duration }) : fail('invalid_code')
  }
  const wait = lockedFor(row, at)
  if (wait !== null) {
    await recordSecondFactorFailure(ctx, trx, user.id)
    return fail('locked', { retryAfter: wait })
  }

  if ('code' in proof) {
    const key = Buffer.from(ctx.mfa.sealer.open(row.sealed_key), 'base64')
    const step = matchTotp(key, proof.code, at, row.last_step === null ? null : Number(row.last_step))
    if (step === null) return failure()
    const accepted = await mfaDb(trx)
      .updateTable('mfa_totp')
      .set({ last_step: String(step), failed_attempts: 0, locked_until: null })
      .where('user_id', '=', user.id)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', String(step))]))
      .returning('user_id')
      .executeTakeFirst()
    return accepted ? { ok: true, method: 'totp' } : failure()
  }

  const spent = await consumeBackupCode(ctx, trx, user.id, proof.backupCode)
  if (!spent.used) return failure()
  await mfaDb(trx).updateTable('mfa_totp').set({ failed_attempts: 0, locked_until: null }).where('user_id', '=', user.id).execute()
  await writeAudit(ctx, trx, { action: 'mfa.backup_code_used', userId: user.id, metadata: { purpose, remaining: spent.remaining } })
  await enqueueMail(ctx, trx, { to: user.email, userId: user.id, template: 'mfaBackupCodeUsed', data: { remaining: spent.remaining, settingsUrl: link(ctx.config, 'settings') } })
  await ctx.events.emit(trx, 'backupCodeUsed', { user, remaining: spent.remaining }, ctx.request)
  return { ok: true, method: 'backup_code', remaining: spent.remaining }
}

/** Whether the user has MFA on (a confirmed TOTP credential). */
export async function hasMfa(db: MfaContext['db'] | Trx, userId: string): Promise<boolean> {
  const row = await mfaDb(db).selectFrom('mfa_totp').select(sql<number>`1`.as('one')).where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst()
  return row !== undefined
}
