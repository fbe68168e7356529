import { AssertionError } from 'node:assert'
import type { SigraCore as Sigra } from '../facade/core-facade.ts'
import type { AuditEvent } from '../kernel/audit/audit-query.ts'
import { CONTEXT } from '../kernel/context-symbol.ts'
import type { Session } from '../sessions/session.ts'
import type { User } from '../users/user.ts'

/**
 * Asserts an audit event exists with this action (and user, outcome and metadata subset, if given).
 * Returns the newest match.
 */
export async function assertAuditEvent(
  sigra: Sigra,
  expected: { action: string; userId?: string | null; outcome?: 'success' | 'failure'; metadata?: Record<string, unknown> },
): Promise<AuditEvent> {
  const matches = (e: AuditEvent) =>
    (expected.userId === undefined || e.userId === expected.userId) &&
    (expected.outcome === undefined || e.outcome === expected.outcome) &&
    Object.entries(expected.metadata ?? {}).every(([k, v]) => JSON.stringify(e.metadata[k]) === JSON.stringify(v))
  // Walks every page (newest first): a busy test database may hold more than one page of this action.
  const events: AuditEvent[] = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<Sigra['audit']['list']>> = await sigra.audit.list({
      action: expected.action,
      ...(expected.userId ? { userId: expected.userId } : {}),
      limit: 500,
      ...(cursor ? { cursor } : {}),
    })
    const match = page.events.find(matches)
    if (match) return match
    events.push(...page.events)
    cursor = page.nextCursor
  } while (cursor)
  throw new AssertionError({ message: `expected an audit event ${JSON.stringify(expected)}; found ${events.length} with that action`, actual: events, expected })
}

/** Asserts the account is in its grace period (read from the database, not the object). */
export async function assertDeletionScheduled(sigra: Sigra, user: Pick<User, 'id'>): Promise<{ daysRemaining: number; deleteAt: Date }> {
  const status = await sigra.account.deletionStatus(user)
  if (status.state !== 'scheduled') throw new AssertionError({ message: `expected deletion to be scheduled, got ${status.state}`, actual: status.state, expected: 'scheduled' })
  return status
}

/** Asserts a session (by token, or by session object/id) no longer exists. */
export async function assertSessionRevoked(sigra: Sigra, tokenOrSession: string | Pick<Session, 'id'>): Promise<void> {
  if (typeof tokenOrSession === 'string' && tokenOrSession.includes('.')) {
    if ((await sigra.sessions.validate(tokenOrSession)) !== null) throw new AssertionError({ message: 'expected the session token to be revoked, but it still validates' })
    return
  }
  const id = typeof tokenOrSession === 'string' ? tokenOrSession : tokenOrSession.id
  const row = await sigra[CONTEXT].db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()
  if (row) throw new AssertionError({ message: `expected session ${id} to be revoked, but it exists` })
}
