import { sql } from 'kysely'
import type { Migration } from '../../kernel/db/migration.ts'

export const createAdmin: Migration = {
  name: '0001_create_admin',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('admin_role_assignments')} (
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role = lower(btrim(role))),
        assigned_by uuid REFERENCES ${table('users')} (id) ON DELETE SET NULL,
        assigned_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, role)
      )`.execute(db)
    await sql`CREATE INDEX admin_role_assignments_role_idx ON ${table('admin_role_assignments')} (role)`.execute(db)
    await sql`
      CREATE TABLE ${table('admin_notes')} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
        author_id uuid REFERENCES ${table('users')} (id) ON DELETE SET NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX admin_notes_user_idx ON ${table('admin_notes')} (user_id, created_at)`.execute(db)
    await sql`CREATE INDEX audit_events_actor_idx ON ${table('audit_events')} (actor_id, id)`.execute(db)
    await sql`CREATE INDEX audit_events_occurred_idx ON ${table('audit_events')} (occurred_at, id)`.execute(db)
  },
}
