import type { Kysely, Transaction } from 'kysely'
import type { AuditEventsTable } from './tables/audit-events.table.ts'
import type { LoginThrottlesTable } from './tables/login-throttles.table.ts'
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
  login_throttles: LoginThrottlesTable
}

export type Db = Kysely<Database>
export type Trx = Transaction<Database>
/** Either the root handle or a transaction: for reads and single statements. */
export type Executor = Kysely<Database> | Transaction<Database>

/**
 * The same handle, typed with a feature's own tables besides core's (a cast: nothing is checked at
 * run time). A feature's domain functions call it on `ctx.db` or on the transaction they were given.
 *
 * @example
 * interface NotesTables { notes: { id: Generated<string>; user_id: string; body: string } }
 * const rows = await withTables<NotesTables>(ctx.db).selectFrom('notes').selectAll().execute()
 */
export function withTables<T>(db: Kysely<Database>): Kysely<Database & T>
export function withTables<T>(db: Transaction<Database>): Transaction<Database & T>
export function withTables<T>(db: Executor): Kysely<Database & T> | Transaction<Database & T>
export function withTables<T>(db: Executor): Kysely<Database & T> | Transaction<Database & T> {
  return db as unknown as Kysely<Database & T>
}
