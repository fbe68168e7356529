import { sql } from 'kysely'
import type { Migration } from '../migration.ts'

/**
 * Foundation schema. Hand-written SQL so that what runs is what was reviewed; later capabilities
 * add columns and tables in their own numbered migrations, never rewrite this one.
 */
export const foundation: Migration = {
  name: '0001_foundation',
  async up({ db, table: s }) {
    await sql`
      CREATE TABLE ${s('users')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        pending_email text,
        pending_email_expires_at timestamptz,
        username text,
        hashed_password text,
        password_changed_at timestamptz,
        confirmed_at timestamptz,
        must_change_password boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
        failed_login_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        last_login_at timestamptz,
        epoch integer NOT NULL DEFAULT 0,
        deletion_requested_at timestamptz,
        delete_at timestamptz,
        deleted_at timestamptz,
        custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (email = lower(email)),
        CHECK (pending_email IS NULL OR pending_email = lower(pending_email))
      )`.execute(db)
    // Emails are stored normalised (trimmed, NFKC, lower-case); an address is unique among live accounts.
    await sql`CREATE UNIQUE INDEX users_email_live_key ON ${s('users')} (email) WHERE deleted_at IS NULL`.execute(db)
    await sql`CREATE UNIQUE INDEX users_pending_email_key ON ${s('users')} (pending_email) WHERE pending_email IS NOT NULL`.execute(db)
    await sql`CREATE UNIQUE INDEX users_username_key ON ${s('users')} (lower(username)) WHERE username IS NOT NULL AND deleted_at IS NULL`.execute(db)
    await sql`CREATE INDEX users_delete_at_idx ON ${s('users')} (delete_at) WHERE delete_at IS NOT NULL AND deleted_at IS NULL`.execute(db)

    await sql`
      CREATE TABLE ${s('sessions')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${s('users')} (id) ON DELETE CASCADE,
        secret_digest bytea NOT NULL,
        created_at timestamptz NOT NULL,
        last_active_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        remember_me boolean NOT NULL DEFAULT false,
        sudo_at timestamptz,
        mfa_state text NOT NULL DEFAULT 'none' CHECK (mfa_state IN ('none', 'pending', 'verified')),
        mfa_verified_at timestamptz,
        ip text,
        user_agent text,
        device_label text,
        impersonator_id uuid,
        active_organization_id uuid
      )`.execute(db)
    await sql`CREATE INDEX sessions_user_id_idx ON ${s('sessions')} (user_id)`.execute(db)
    await sql`CREATE INDEX sessions_expires_at_idx ON ${s('sessions')} (expires_at)`.execute(db)

    await sql`
      CREATE TABLE ${s('user_tokens')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${s('users')} (id) ON DELETE CASCADE,
        digest bytea NOT NULL UNIQUE,
        context text NOT NULL,
        sent_to text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`.execute(db)
    await sql`CREATE INDEX user_tokens_user_context_idx ON ${s('user_tokens')} (user_id, context)`.execute(db)
    await sql`CREATE INDEX user_tokens_expires_at_idx ON ${s('user_tokens')} (expires_at)`.execute(db)

    await sql`
      CREATE TABLE ${s('audit_events')} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
        actor_id uuid,
        actor_type text NOT NULL DEFAULT 'user',
        user_id uuid,
        ip text,
        user_agent text,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb
      )`.execute(db)
    await sql`CREATE INDEX audit_events_user_idx ON ${s('audit_events')} (user_id, id)`.execute(db)
    await sql`CREATE INDEX audit_events_action_idx ON ${s('audit_events')} (action, id)`.execute(db)

    await sql`
      CREATE TABLE ${s('mail_outbox')} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id uuid REFERENCES ${s('users')} (id) ON DELETE SET NULL,
        template text NOT NULL,
        to_address text NOT NULL,
        subject text NOT NULL,
        sealed_body bytea,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        leased_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz
      )`.execute(db)
    await sql`CREATE INDEX mail_outbox_due_idx ON ${s('mail_outbox')} (next_attempt_at) WHERE status = 'pending'`.execute(db)
    await sql`CREATE INDEX mail_outbox_to_idx ON ${s('mail_outbox')} (to_address, id)`.execute(db)
  },
}
