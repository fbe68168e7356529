import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'
import type { Timestamp } from './users.table.ts'

export type MailStatus = 'pending' | 'sent' | 'failed'

export interface MailOutboxTable {
  id: ColumnType<string | number, never, never>
  user_id: string | null
  template: string
  to_address: string
  subject: string
  /** Bodies carry single-use links, so they are sealed with AES-256-GCM (key derived from the secret). */
  sealed_body: Uint8Array | null
  status: Generated<MailStatus>
  attempts: Generated<number>
  next_attempt_at: Timestamp
  /** Lease taken by a sweep; a crashed worker's lease simply runs out. */
  leased_until: Timestamp | null
  last_error: string | null
  created_at: Timestamp
  sent_at: Timestamp | null
}

export type MailOutboxRow = Selectable<MailOutboxTable>
export type NewMailOutboxRow = Insertable<MailOutboxTable>
