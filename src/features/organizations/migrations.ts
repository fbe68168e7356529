import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

/**
 * Organizations, memberships, invitations (digest-only tokens, at most one pending per address and
 * organization), verified domains, organization-bound API tokens, and an index for the
 * organization's audit rows (`metadata.organization_id`).
 */
export const createOrganizations: Migration = {
  name: '0001_create_organizations',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('organizations')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9]|-(?=[a-z0-9])){1,61}[a-z0-9]$'),
        personal_owner_id uuid REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        require_mfa boolean NOT NULL DEFAULT false,
        auto_join boolean NOT NULL DEFAULT false,
        created_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE UNIQUE INDEX organizations_slug_key ON ${table('organizations')} (slug)`.execute(db)
    await sql`CREATE UNIQUE INDEX organizations_personal_key ON ${table('organizations')} (personal_owner_id) WHERE personal_owner_id IS NOT NULL`.execute(db)

    await sql`
      CREATE TABLE ${table('organization_memberships')} (
        organization_id uuid NOT NULL REFERENCES ${table('organizations')} (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role <> '' AND role = lower(btrim(role))),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (organization_id, user_id)
      )`.execute(db)
    await sql`CREATE INDEX organization_memberships_user_idx ON ${table('organization_memberships')} (user_id)`.execute(db)

    await sql`
      CREATE TABLE ${table('organization_invitations')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES ${table('organizations')} (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        role text NOT NULL CHECK (role <> '' AND role = lower(btrim(role))),
        token_digest bytea NOT NULL,
        invited_by uuid,
        created_at timestamptz NOT NULL,
        sent_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid,
        revoked_at timestamptz,
        revoked_by uuid
      )`.execute(db)
    await sql`CREATE UNIQUE INDEX organization_invitations_digest_key ON ${table('organization_invitations')} (token_digest)`.execute(db)
    await sql`CREATE UNIQUE INDEX organization_invitations_pending_key ON ${table('organization_invitations')} (organization_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL`.execute(db)
    await sql`CREATE INDEX organization_invitations_email_idx ON ${table('organization_invitations')} (email) WHERE accepted_at IS NULL AND revoked_at IS NULL`.execute(db)
    await sql`CREATE INDEX organization_invitations_expires_idx ON ${table('organization_invitations')} (expires_at)`.execute(db)

    await sql`
      CREATE TABLE ${table('organization_domains')} (
        organization_id uuid NOT NULL REFERENCES ${table('organizations')} (id) ON DELETE CASCADE,
        domain text NOT NULL CHECK (domain = lower(domain)),
        verification_token text NOT NULL,
        verified_at timestamptz,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (organization_id, domain)
      )`.execute(db)
    // A domain proves ownership for one organization at a time.
    await sql`CREATE UNIQUE INDEX organization_domains_verified_key ON ${table('organization_domains')} (domain) WHERE verified_at IS NOT NULL`.execute(db)

    await sql`
      CREATE TABLE ${table('organization_api_tokens')} (
        api_token_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES ${table('organizations')} (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE
      )`.execute(db)
    await sql`CREATE INDEX organization_api_tokens_member_idx ON ${table('organization_api_tokens')} (organization_id, user_id)`.execute(db)

    // The organization each account last chose: where its next sign-in starts.
    await sql`
      CREATE TABLE ${table('organization_last_active')} (
        user_id uuid PRIMARY KEY REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES ${table('organizations')} (id) ON DELETE CASCADE,
        chosen_at timestamptz NOT NULL
      )`.execute(db)

    // The organization's audit log: rows carry metadata.organization_id.
    await sql`CREATE INDEX audit_events_organization_idx ON ${table('audit_events')} ((metadata->>'organization_id'), id) WHERE metadata ? 'organization_id'`.execute(db)
    await sql`CREATE INDEX sessions_active_organization_idx ON ${table('sessions')} (active_organization_id) WHERE active_organization_id IS NOT NULL`.execute(db)
  },
}
