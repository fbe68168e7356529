import { sql } from 'kysely'
import type { Executor } from '../../kernel/db/database.ts'
import type { Passkey } from './augment.ts'
import { passkeysDb } from './passkeys-context.ts'
import type { PasskeysTables } from './tables.ts'

export type CredentialRow = Omit<PasskeysTables['passkey_credentials'], 'id'> & { id: string }

/** A stored credential as the facade hands it out (no key material). */
export function toPasskey(row: CredentialRow): Passkey {
  return {
    id: row.id,
    label: row.label,
    credentialId: row.credential_id,
    aaguid: row.aaguid,
    transports: [...row.transports],
    backupEligible: row.backup_eligible,
    backedUp: row.backed_up,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    counterRegressedAt: row.counter_regressed_at,
  }
}

/** A user's credentials, oldest first. */
export async function credentialsOf(db: Executor, userId: string): Promise<CredentialRow[]> {
  return (await passkeysDb(db).selectFrom('passkey_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute()) as CredentialRow[]
}

export async function countCredentials(db: Executor, userId: string): Promise<number> {
  const row = await passkeysDb(db).selectFrom('passkey_credentials').select(sql<string>`count(*)`.as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The credential a browser names, locked for the rest of the transaction (parallel uses queue on the counter). */
export async function lockCredential(db: Executor, credentialId: string): Promise<CredentialRow | undefined> {
  return (await passkeysDb(db).selectFrom('passkey_credentials').selectAll().where('credential_id', '=', credentialId).forUpdate().executeTakeFirst()) as CredentialRow | undefined
}

/**
 * The WebAuthn user handle of an account: the 16 bytes of its UUID (opaque, no personal data), as
 * registration options carry it and as a discoverable credential answers it.
 */
export function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'))
}

/** Credentials as options list them (`allowCredentials`, `excludeCredentials`). */
export function descriptors(rows: readonly CredentialRow[]): Array<{ id: string; transports: string[] }> {
  return rows.map((row) => ({ id: row.credential_id, transports: [...row.transports] }))
}
