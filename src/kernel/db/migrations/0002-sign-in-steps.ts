import { sql } from 'kysely'
import type { Migration } from '../migration.ts'

/**
 * The sign-in pipeline's state on the session, in words no feature owns: `pending_steps` lists what
 * must still happen before the session is signed in (a second factor, an enrolment, accepting
 * terms), `amr` how it authenticated (RFC 8176 values: `pwd`, `otp`, `hwk`, …). They replace the
 * MFA-specific `mfa_state` / `mfa_verified_at` of 0001, which nothing had written yet.
 */
export const signInSteps: Migration = {
  name: '0002_sign_in_steps',
  async up({ db, table }) {
    await sql`
      ALTER TABLE ${table('sessions')}
        DROP COLUMN mfa_state,
        DROP COLUMN mfa_verified_at,
        ADD COLUMN pending_steps text[] NOT NULL DEFAULT '{}',
        ADD COLUMN amr text[] NOT NULL DEFAULT '{}'`.execute(db)
  },
}
