import type { Kysely, Transaction } from 'kysely'
import type { AuditEventsTable } from './tables/audit-events.table.ts'
import type { MailOutboxTable } from './tables/mail-outbox.table.ts'
import type { SessionsTable } from './tables/sessions.table.ts'
import type { UserTokensTable } from './tables/user-tokens.table.ts'
import type { UsersTable } from './tables/users.table.ts'

/** The static shape of Sigra's schema. Later capabilities add their tables here. */
export interface Database {
  users: UsersTable
  sessions: SessionsTable
  user_tokens: UserTokensTable
  audit_events: AuditEventsTable
  mail_outbox: MailOutboxTable
}

export type Db = Kysely<Database>
export type Trx = Transaction<Database>
/** Either the root handle or a transaction: for reads and single statements. */
export type Executor = Kysely<Database> | Transaction<Database>
