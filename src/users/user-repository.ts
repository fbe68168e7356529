import { sql } from 'kysely'
import type { Executor, Trx } from '../kernel/db/database.ts'
import type { UserRow } from '../kernel/db/tables/users.table.ts'

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** A live (not deleted) account by normalised email. */
export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).where('deleted_at', 'is', null).executeTakeFirst()
}

export async function findUserByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

/**
 * Serialises every claim on one address (registration, email change request and confirm) for the
 * rest of the transaction, so "is it free?" and "take it" cannot interleave across the two columns.
 */
export async function lockAddress(trx: Trx, email: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sigra:email:${email}`}, 0))`.execute(trx)
}

/**
 * Who holds an address: a live account's email, or an unexpired pending email change
 * (the reservation that keeps a confirm from colliding with a registration).
 */
export async function findAddressHolder(db: Executor, email: string, at: Date): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('email', '=', email), eb.and([eb('pending_email', '=', email), eb('pending_email_expires_at', '>', at)])]))
    .orderBy(sql`email = ${email}`, 'desc')
    .executeTakeFirst()
}
