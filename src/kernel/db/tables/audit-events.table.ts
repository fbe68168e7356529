import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'
import type { Timestamp } from './users.table.ts'

export type AuditOutcome = 'success' | 'failure'

export interface AuditEventsTable {
  /** int8 identity: pg returns it as a string, PGlite as a number; the repository normalises. */
  id: ColumnType<string | number, never, never>
  occurred_at: Timestamp
  action: string
  outcome: AuditOutcome
  /** Who did it (the user, an admin, or null for the system). */
  actor_id: string | null
  actor_type: Generated<string>
  /** Whose account it is about. No foreign key: history outlives the row. */
  user_id: string | null
  ip: string | null
  user_agent: string | null
  metadata: ColumnType<Record<string, unknown>, string, string>
}

export type AuditEventRow = Selectable<AuditEventsTable>
export type NewAuditEventRow = Insertable<AuditEventsTable>
