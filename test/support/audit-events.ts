import type { AuditEvent, AuditFilter, Sigra } from 'sigra'

/** Every audit event matching `filter`, newest first, walking all pages. */
export async function allAuditEvents(sigra: Sigra, filter: Omit<AuditFilter, 'cursor'> = {}): Promise<AuditEvent[]> {
  const events: AuditEvent[] = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<Sigra['audit']['list']>> = await sigra.audit.list({ ...filter, limit: 500, ...(cursor ? { cursor } : {}) })
    events.push(...page.events)
    cursor = page.nextCursor
  } while (cursor)
  return events
}

/** Rows in one of Sigra's tables (to prove a rolled-back call left nothing behind). */
export async function countRows(sigra: Sigra, table: 'users' | 'sessions' | 'user_tokens' | 'audit_events' | 'mail_outbox'): Promise<number> {
  const row = await sigra.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number | bigint>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}
