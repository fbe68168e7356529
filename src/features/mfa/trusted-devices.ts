import { addSeconds } from '../../kernel/clock.ts'
import { constantTimeEqual, digest, randomSecret } from '../../kernel/crypto/token.ts'
import type { Executor, Trx } from '../../kernel/db/database.ts'
import { deviceLabel } from '../../sessions/device-label.ts'
import type { User } from '../../users/user.ts'
import { mfaDb, type MfaContext } from './mfa-context.ts'

const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/

export interface TrustedDevice {
  id: string
  label: string | null
  createdAt: Date
  expiresAt: Date
  lastUsedAt: Date | null
}

/**
 * "Don't ask again on this device": a token `<id>.<256-bit secret>` for the device-trust cookie; the
 * row keeps only the secret's digest, the user's `epoch` and the expiry. Trust ends when it
 * expires, when the row goes (revoked one by one, or all at once by an MFA reset, a disable, a
 * "sign out everywhere"), or when the user's epoch moves on (a password change), whichever comes first.
 */
export async function trustDevice(ctx: MfaContext, trx: Trx, user: Pick<User, 'id' | 'epoch'>, userAgent: string | null): Promise<{ token: string; expiresAt: Date }> {
  const days = ctx.mfa.trustedDeviceDays
  if (days === null) throw new Error('trusted devices are turned off')
  const secret = randomSecret()
  const at = ctx.config.clock()
  const expiresAt = addSeconds(at, days * 86_400)
  const row = await mfaDb(trx)
    .insertInto('mfa_trusted_devices')
    .values({ user_id: user.id, secret_digest: digest(secret), epoch: user.epoch, label: deviceLabel(userAgent), created_at: at, expires_at: expiresAt, last_used_at: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { token: `${row.id}.${secret}`, expiresAt }
}

/** Whether a device-trust token is live for this user now (constant-time compare; read-only). */
export async function isTrusted(ctx: MfaContext, db: Executor, user: Pick<User, 'id' | 'epoch'>, token: string | null): Promise<boolean> {
  if (ctx.mfa.trustedDeviceDays === null || !token) return false
  const match = TOKEN.exec(token)
  if (!match) return false
  const row = await mfaDb(db).selectFrom('mfa_trusted_devices').selectAll().where('id', '=', match[1]!).executeTakeFirst()
  if (!row || !constantTimeEqual(row.secret_digest, digest(match[2]!))) return false
  return row.user_id === user.id && row.epoch === user.epoch && row.expires_at.getTime() > ctx.config.clock().getTime()
}

export async function listTrustedDevices(ctx: MfaContext, user: Pick<User, 'id'>): Promise<TrustedDevice[]> {
  const rows = await mfaDb(ctx.db)
    .selectFrom('mfa_trusted_devices')
    .selectAll()
    .where('user_id', '=', user.id)
    .where('expires_at', '>', ctx.config.clock())
    .orderBy('created_at', 'desc')
    .execute()
  return rows.map((r) => ({ id: r.id, label: r.label, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at }))
}

/** Ends every trusted device of a user inside `trx`; returns how many. */
export async function forgetTrustedDevices(trx: Trx, userId: string): Promise<number> {
  const gone = await mfaDb(trx).deleteFrom('mfa_trusted_devices').where('user_id', '=', userId).executeTakeFirst()
  return Number(gone.numDeletedRows)
}
