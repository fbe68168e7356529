import type { ExpressionBuilder } from 'kysely'
import type { Database } from '../kernel/db/database.ts'

/**
 * What storing a new password always changes, whichever flow stores it (change, set, reset): the
 * hash, a satisfied change requirement, a cleared lockout, and `epoch` bumped so credentials derived
 * from the old one stop working.
 */
export function newPasswordColumns(eb: ExpressionBuilder<Database, 'users'>, hashed: string, at: Date) {
  return {
    hashed_password: hashed,
    password_changed_at: at,
    must_change_password: false,
    failed_login_attempts: 0,
    locked_until: null,
    epoch: eb('epoch', '+', 1),
    updated_at: at,
  }
}
