import type { SigraContext } from '../../kernel/context.ts'
import type { Sealer } from '../../kernel/crypto/seal.ts'
import { withTables, type Executor } from '../../kernel/db/database.ts'
import type { AdminSettings } from './options.ts'
import type { AdminTables } from './tables.ts'

export type AdminContext = SigraContext & {
  admin: AdminSettings & {
    cursorSealer: Sealer
    /** Another feature's facade, when enabled (MFA's reset). */
    feature<T>(name: string): T | undefined
  }
}

export function adminDb(db: Executor) {
  return withTables<AdminTables>(db)
}
