import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

export const createOAuth: Migration = {
  name: '0001_create_oauth',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('oauth_identities')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        provider text NOT NULL,
        subject text NOT NULL,
        issuer text,
        email text,
        email_verified boolean NOT NULL DEFAULT false,
        name text,
        username text,
        access_token_sealed bytea,
        refresh_token_sealed bytea,
        token_expires_at timestamptz,
        token_scope text,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz,
        CONSTRAINT oauth_identities_provider_subject_key UNIQUE (provider, subject),
        CONSTRAINT oauth_identities_user_provider_key UNIQUE (user_id, provider)
      )`.execute(db)
    await sql`
      CREATE TABLE ${table('oauth_spent_states')} (
        digest bytea PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX oauth_spent_states_expires_idx ON ${table('oauth_spent_states')} (expires_at)`.execute(db)
  },
}
