import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

/** The MFA feature's tables. Every row goes with its user (ON DELETE CASCADE), and `userDeleting` removes them first. */
export const createMfa: Migration = {
  name: '0001_create_mfa',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('mfa_totp')} (
        user_id uuid PRIMARY KEY REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        sealed_key bytea NOT NULL,
        confirmed_at timestamptz,
        enrollment_expires_at timestamptz,
        last_step bigint,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        created_at timestamptz NOT NULL
      )`.execute(db)
    await sql`
      CREATE TABLE ${table('mfa_backup_codes')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        digest bytea NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX mfa_backup_codes_user_idx ON ${table('mfa_backup_codes')} (user_id, digest)`.execute(db)
    await sql`
      CREATE TABLE ${table('mfa_trusted_devices')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        secret_digest bytea NOT NULL,
        epoch integer NOT NULL,
        label text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz
      )`.execute(db)
    await sql`CREATE INDEX mfa_trusted_devices_user_idx ON ${table('mfa_trusted_devices')} (user_id)`.execute(db)
    await sql`CREATE INDEX mfa_trusted_devices_expires_idx ON ${table('mfa_trusted_devices')} (expires_at)`.execute(db)
  },
}
