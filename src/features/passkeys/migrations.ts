import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

/** The passkeys feature's tables. Credentials and ceremonies go with their user (and a ceremony with its session). */
export const createPasskeys: Migration = {
  name: '0001_create_passkeys',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('passkey_credentials')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        credential_id text NOT NULL UNIQUE,
        public_key bytea NOT NULL,
        counter bigint NOT NULL DEFAULT 0,
        transports text[] NOT NULL DEFAULT '{}',
        aaguid text NOT NULL,
        backup_eligible boolean NOT NULL,
        backed_up boolean NOT NULL,
        label text NOT NULL,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz,
        counter_regressed_at timestamptz
      )`.execute(db)
    await sql`CREATE INDEX passkey_credentials_user_idx ON ${table('passkey_credentials')} (user_id)`.execute(db)
    await sql`
      CREATE TABLE ${table('passkey_challenges')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        ceremony_digest bytea UNIQUE,
        challenge_digest bytea NOT NULL,
        user_id uuid REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        any_user boolean NOT NULL,
        session_id uuid REFERENCES ${table('sessions')} (id) ON DELETE CASCADE,
        user_verification text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX passkey_challenges_session_idx ON ${table('passkey_challenges')} (session_id, kind)`.execute(db)
    await sql`CREATE INDEX passkey_challenges_expires_idx ON ${table('passkey_challenges')} (expires_at)`.execute(db)
  },
}
