import { createHmac, hkdfSync, randomInt } from 'node:crypto'
import type { Trx } from '../../kernel/db/database.ts'
import { mfaDb, type MfaContext } from './mfa-context.ts'

/** Letters and digits nobody confuses when copying from paper (no 0/o, 1/l/i). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
export const BACKUP_CODE_COUNT = 10

/** `xxxxx-xxxxx`: 10 characters of a 31-letter alphabet, about 49 bits each. */
export function newBackupCode(): string {
  let code = ''
  for (let i = 0; i < 10; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return `${code.slice(0, 5)}-${code.slice(5)}`
}

/** What a user typed, as it is hashed: lower case, no spaces or dashes. */
export function normalizeBackupCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '')
}

/**
 * Keyed digests (HMAC-SHA-256 under a key derived from each configured secret, newest first): a
 * leaked table alone does not let anyone test guesses offline, and a rotated secret keeps old codes working.
 */
export function backupCodeDigests(ctx: MfaContext, code: string): Uint8Array[] {
  const normalized = normalizeBackupCode(code)
  return ctx.config.secrets.map((secret) => {
    const key = Buffer.from(hkdfSync('sha256', secret, 'sigra', 'sigra:mfa-backup-codes', 32))
    return createHmac('sha256', key).update(normalized, 'utf8').digest()
  })
}

/** Replaces the user's codes with a new set in `trx`; the codes exist only in the return value. */
export async function replaceBackupCodes(ctx: MfaContext, trx: Trx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, newBackupCode)
  const at = ctx.config.clock()
  await mfaDb(trx).deleteFrom('mfa_backup_codes').where('user_id', '=', userId).execute()
  await mfaDb(trx)
    .insertInto('mfa_backup_codes')
    .values(codes.map((code) => ({ user_id: userId, digest: backupCodeDigests(ctx, code)[0]!, used_at: null, created_at: at })))
    .execute()
  return codes
}

/**
 * Spends one backup code in one statement: of N parallel uses of a code exactly one gets the row.
 * Returns whether it was spent, and how many stay unused.
 */
export async function consumeBackupCode(ctx: MfaContext, trx: Trx, userId: string, code: string): Promise<{ used: boolean; remaining: number }> {
  const normalized = normalizeBackupCode(code)
  if (!/^[a-z0-9]{10}$/.test(normalized)) return { used: false, remaining: await remainingBackupCodes(trx, userId) }
  const spent = await mfaDb(trx)
    .updateTable('mfa_backup_codes')
    .set({ used_at: ctx.config.clock() })
    .where('user_id', '=', userId)
    .where('digest', 'in', backupCodeDigests(ctx, code))
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return { used: spent !== undefined, remaining: await remainingBackupCodes(trx, userId) }
}

export async function remainingBackupCodes(db: Trx | MfaContext['db'], userId: string): Promise<number> {
  const row = await mfaDb(db).selectFrom('mfa_backup_codes').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst()
  return Number(row?.n ?? 0)
}
