import { sql } from 'kysely'
import type { Migration } from '../migration.ts'

/**
 * Failed sign-ins counted per login identifier when no usable account answers to it (unknown,
 * password-less, disabled, due for deletion), so such identifiers lock exactly like accounts do and
 * the lockout tells nobody which accounts exist. The key is an HMAC of the identifier: the table
 * never holds an address someone typed.
 */
export const loginThrottles: Migration = {
  name: '0003_login_throttles',
  async up({ db, table }) {
    await sql`
      CREATE TABLE ${table('login_throttles')} (
        key bytea PRIMARY KEY,
        failures integer NOT NULL,
        locked_until timestamptz,
        updated_at timestamptz NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX login_throttles_updated_at_idx ON ${table('login_throttles')} (updated_at)`.execute(db)
  },
}
