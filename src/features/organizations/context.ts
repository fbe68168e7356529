import { sql } from 'kysely'
import type { SigraContext } from '../../kernel/context.ts'
import { withTables, type Executor, type Trx } from '../../kernel/db/database.ts'
import type { OrganizationsSettings } from './options.ts'
import type { OrganizationTables } from './tables.ts'

export type OrgsContext = SigraContext & {
  orgs: OrganizationsSettings & {
    /** Another enabled feature's facade (API tokens), looked up when used. */
    feature<T>(name: string): T | undefined
    has(name: string): boolean
  }
}

export function orgsDb(db: Executor) {
  return withTables<OrganizationTables>(db)
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/**
 * Serialises every change to one organization's memberships, roles, invitations and settings on a
 * transaction-scoped advisory lock keyed by the organization: rank checks, the last-owner count and
 * the change itself see one consistent state, and of two parallel "remove an owner" calls on the
 * last two, the second sees one left. Taken first in the transaction, after the account's row lock
 * when there is one (the deletion listener), and in id order when several are needed.
 */
export async function lockOrganization(ctx: SigraContext, trx: Trx, organizationId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sigra:org:${ctx.config.schema}:${organizationId}`}, 0))`.execute(trx)
}

/** The same for a slug being taken: two creations of one slug are serialised, so the second sees the first. */
export async function lockSlug(ctx: SigraContext, trx: Trx, slug: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sigra:org-slug:${ctx.config.schema}:${slug}`}, 0))`.execute(trx)
}

/** A unique violation (SQLSTATE 23505) on one of this feature's indexes, from pg or PGlite. */
export function uniqueViolation(error: unknown, index: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown } | null
  if (!e || e.code !== '23505') return false
  return e.constraint === index || (typeof e.message === 'string' && e.message.includes(index))
}
