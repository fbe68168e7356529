import { sql } from 'kysely'
import type { Migration } from '../migration.ts'

/**
 * Account states an operator sets (`suspended`: for now, `banned`: for good; both sign in nowhere,
 * like `disabled`), and the session an impersonation came from, so that ending it can hand the
 * operator's own session back — and so that ending the operator's session in any way (log out,
 * revoke all, suspension, deletion) ends the impersonation with it (ON DELETE CASCADE).
 */
export const suspensionAndImpersonation: Migration = {
  name: '0004_suspension_and_impersonation',
  async up({ db, table }) {
    await sql`
      ALTER TABLE ${table('users')}
        DROP CONSTRAINT users_status_check,
        ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled', 'suspended', 'banned', 'deleted'))`.execute(db)
    await sql`ALTER TABLE ${table('sessions')} ADD COLUMN impersonator_session_id uuid REFERENCES ${table('sessions')} (id) ON DELETE CASCADE`.execute(db)
    // Partial: only impersonations have these, and each session delete looks the reference up here.
    await sql`CREATE INDEX sessions_impersonator_session_idx ON ${table('sessions')} (impersonator_session_id) WHERE impersonator_session_id IS NOT NULL`.execute(db)
    await sql`CREATE INDEX sessions_impersonator_idx ON ${table('sessions')} (impersonator_id) WHERE impersonator_id IS NOT NULL`.execute(db)
  },
}
