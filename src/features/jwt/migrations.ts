import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

/**
 * The JWT feature's tables. Families reference their session with ON DELETE CASCADE (and tokens
 * their family), so whatever ends a session ends its refresh tokens, in the same statement. Two
 * partial unique indexes hold the invariants under any race: one active key, one live token per family.
 */
export const createJwt: Migration = {
  name: '0001_create_jwt',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('jwt_keys')} (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        public_jwk text NOT NULL,
        sealed_private bytea NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz
      )`.execute(db)
    await sql`CREATE UNIQUE INDEX jwt_keys_one_active ON ${table('jwt_keys')} ((retired_at IS NULL)) WHERE retired_at IS NULL`.execute(db)
    await sql`
      CREATE TABLE ${table('jwt_refresh_families')} (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES ${table('sessions')} (id) ON DELETE CASCADE,
        owns_session boolean NOT NULL,
        epoch integer NOT NULL,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX jwt_refresh_families_session_idx ON ${table('jwt_refresh_families')} (session_id)`.execute(db)
    await sql`CREATE INDEX jwt_refresh_families_user_idx ON ${table('jwt_refresh_families')} (user_id)`.execute(db)
    await sql`CREATE INDEX jwt_refresh_families_expires_idx ON ${table('jwt_refresh_families')} (expires_at)`.execute(db)
    await sql`
      CREATE TABLE ${table('jwt_refresh_tokens')} (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL REFERENCES ${table('jwt_refresh_families')} (id) ON DELETE CASCADE,
        secret_digest bytea NOT NULL,
        created_at timestamptz NOT NULL,
        spent_at timestamptz,
        successor_id uuid,
        sealed_successor bytea
      )`.execute(db)
    await sql`CREATE INDEX jwt_refresh_tokens_family_idx ON ${table('jwt_refresh_tokens')} (family_id)`.execute(db)
    await sql`CREATE UNIQUE INDEX jwt_refresh_tokens_one_live ON ${table('jwt_refresh_tokens')} (family_id) WHERE spent_at IS NULL`.execute(db)
    await sql`CREATE INDEX jwt_refresh_tokens_sealed_idx ON ${table('jwt_refresh_tokens')} (spent_at) WHERE sealed_successor IS NOT NULL`.execute(db)
  },
}
