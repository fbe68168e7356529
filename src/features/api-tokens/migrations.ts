import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

export const createApiTokens: Migration = {
  name: '0001_create_api_tokens',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('api_tokens')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        name text NOT NULL,
        secret_digest bytea NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        last_used_at timestamptz,
        last_used_ip text
      )`.execute(db)
    await sql`CREATE INDEX api_tokens_user_idx ON ${table('api_tokens')} (user_id, created_at)`.execute(db)
    await sql`CREATE INDEX api_tokens_expires_idx ON ${table('api_tokens')} (expires_at) WHERE expires_at IS NOT NULL`.execute(db)
  },
}
