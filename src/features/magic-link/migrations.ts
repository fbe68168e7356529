import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

export const createMagicLinkTokens: Migration = {
  name: '0001_create_magic_link_tokens',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('magic_link_tokens')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        digest bytea NOT NULL UNIQUE,
        sent_to text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`.execute(db)
    await sql`CREATE INDEX magic_link_tokens_user_idx ON ${table('magic_link_tokens')} (user_id)`.execute(db)
    await sql`CREATE INDEX magic_link_tokens_sent_to_idx ON ${table('magic_link_tokens')} (sent_to)`.execute(db)
    await sql`CREATE INDEX magic_link_tokens_expires_idx ON ${table('magic_link_tokens')} (expires_at)`.execute(db)
  },
}
