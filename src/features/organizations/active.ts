import type { Executor, Trx } from '../../kernel/db/database.ts'
import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { RequestPrincipal } from '../../sessions/principal.ts'
import { principalFromRequest } from '../../sessions/request-principal.ts'
import { toSession, type Session } from '../../sessions/session.ts'
import { validateSession } from '../../sessions/validate-session.ts'
import type { User } from '../../users/user.ts'
import { roleInfo, writeOrgAudit } from './authority.ts'
import { isUuid, orgsDb, type OrgsContext } from './context.ts'
import { toMembership, toOrganization, type Membership, type Organization } from './organization.ts'
import { canonicalSlug } from './slug.ts'
import { tokenOrganization } from './org-tokens.ts'
import './augment.ts'

/** RFC 8176 method references that prove a second factor (or a phishing-resistant key) in this session. */
const SECOND_FACTOR_AMR = ['otp', 'mfa', 'hwk', 'swk', 'sc'] as const

export function passedSecondFactor(amr: readonly string[] | null | undefined): boolean {
  return (amr ?? []).some((m) => (SECOND_FACTOR_AMR as readonly string[]).includes(m))
}

/** An organization the caller acts in, with their membership and its permissions. */
export interface ActiveOrganization {
  org: Organization
  membership: Membership & { permissions: string[] }
}

export type OrganizationGate = { ok: true; value: ActiveOrganization } | Failure<'not_found' | 'org_mfa_required'>

/**
 * The one place that decides whether a user may act in an organization right now: a live
 * membership (else `not_found`), and the organization's policy — an organization that requires MFA
 * is only usable from a session that passed a second factor (`org_mfa_required`). Every path reads
 * through it: `setActive`, what `sessions.fromRequest` answers, `requireOrg`, the URL loader. A
 * session whose stored pointer went stale (a membership ended meanwhile) simply has none.
 */
export async function organizationGate(ctx: OrgsContext, db: Executor, userId: string, organizationId: unknown, amr: readonly string[] | null, options: { lock?: boolean } = {}): Promise<OrganizationGate> {
  if (!isUuid(organizationId) || !isUuid(userId)) return fail('not_found')
  let q = orgsDb(db)
    .selectFrom('organization_memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .selectAll('o')
    .select(['m.role', 'm.user_id', 'm.created_at as joined_at'])
    .where('m.organization_id', '=', organizationId)
    .where('m.user_id', '=', userId)
  // FOR SHARE on the membership: a removal racing a switch waits for it, then clears what it set.
  if (options.lock) q = q.forShare('m')
  const row = await q.executeTakeFirst()
  if (!row) return fail('not_found')
  const { role, user_id, joined_at, ...org } = row
  if (org.require_mfa && amr !== null && !passedSecondFactor(amr)) return fail('org_mfa_required')
  const info = roleInfo(ctx, role)
  return {
    ok: true,
    value: {
      org: toOrganization(org),
      membership: { ...toMembership({ organization_id: org.id, user_id, role, created_at: joined_at, updated_at: joined_at }), permissions: [...info.permissions] },
    },
  }
}

export type SetActiveResult = { ok: true; session: Session } | Failure<'not_found' | 'invalid_session' | 'org_mfa_required'>

/**
 * The single place that sets a session's active organization: the session token must be a live,
 * signed-in session, and its user a member of the organization (else `not_found`, whether or not it
 * exists) whose policy the session meets. `null` clears it. Audited (`organization.switch`).
 */
export async function setActive(ctx: OrgsContext, sessionToken: unknown, organizationId: unknown): Promise<SetActiveResult> {
  const current = await validateSession(ctx, sessionToken)
  if (!current) return fail('invalid_session')
  const { user, session } = current
  if (organizationId !== null && !isUuid(organizationId)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx): Promise<SetActiveResult> => {
    if (organizationId !== null) {
      const gate = await organizationGate(ctx, trx, user.id, organizationId, session.amr, { lock: true })
      if (!gate.ok) {
        await auditDenied(ctx, trx, { actorId: user.id, resource: 'organization', reason: gate.error, operation: 'organization.switch', resourceId: organizationId })
        return gate
      }
    }
    const row = await trx.updateTable('sessions').set({ active_organization_id: organizationId }).where('id', '=', session.id).where('user_id', '=', user.id).returningAll().executeTakeFirst()
    if (!row) return fail('invalid_session')
    if (organizationId !== null) await rememberChoice(ctx, trx, user.id, organizationId)
    if (session.activeOrganizationId !== organizationId) {
      await writeOrgAudit(ctx, trx, organizationId ?? session.activeOrganizationId ?? '', { action: 'organization.switch', userId: user.id, metadata: { session_id: session.id, from: session.activeOrganizationId, to: organizationId } })
    }
    return { ok: true, session: toSession(row, ctx.config.sessions.idleTimeout) }
  })
}

/** The organization a signed-in session acts in now (through the gate), or null. */
export async function activeOrganization(ctx: OrgsContext, current: { user: Pick<User, 'id'>; session: Pick<Session, 'activeOrganizationId' | 'amr'> | null }): Promise<ActiveOrganization | null> {
  const id = current?.session?.activeOrganizationId
  if (!id || !isUuid(current.user?.id)) return null
  const gate = await organizationGate(ctx, ctx.db, current.user.id, id, current.session!.amr ?? [])
  return gate.ok ? gate.value : null
}

/**
 * This feature's part of what `sessions.fromRequest` answers: the organization the request acts in
 * and the caller's membership. A cookie session: its active organization, through the gate (null
 * when none, stale, or its MFA policy is not met). An organization-bound API token: that
 * organization while the membership lasts. Anything else: null.
 */
export async function principalOrganization(ctx: OrgsContext, principal: RequestPrincipal): Promise<{ organization: Organization | null; membership: ActiveOrganization['membership'] | null }> {
  let found: ActiveOrganization | null = null
  if (principal.apiToken) {
    const orgId = await tokenOrganization(ctx, principal.apiToken.id)
    // A token's principal has no session and no amr: the policy was the creator's to meet; membership is checked on every use.
    const gate = orgId ? await organizationGate(ctx, ctx.db, principal.user.id, orgId, null) : null
    found = gate?.ok ? gate.value : null
  } else if (principal.session) {
    found = await activeOrganization(ctx, { user: principal.user, session: principal.session })
  }
  return { organization: found?.org ?? null, membership: found?.membership ?? null }
}

export type OrganizationRequest = { ok: true; user: User; session: Session | null; org: Organization; membership: ActiveOrganization['membership'] } | Failure<'unauthenticated' | 'not_found' | 'org_required' | 'org_mfa_required'>

/**
 * The URL-driven loader for host routes (`/orgs/:slug/…`): who asks (`sessions.fromRequest`), and
 * the organization named by `slug` — `not_found` unless they are a member (an unknown slug answers
 * the same), `org_mfa_required` when its policy is not met. With `activate`, it also becomes the
 * session's active organization (through `setActive`'s rules). Without a slug: the request's
 * active organization, or `org_required`.
 */
export async function organizationFromRequest(ctx: OrgsContext, request: Request, options: { slug?: string | null; activate?: boolean } = {}): Promise<OrganizationRequest> {
  const principal = await principalFromRequest(ctx, request)
  if (!principal) return fail('unauthenticated')
  if (options.slug === undefined || options.slug === null) {
    if (!principal.organization || !principal.membership) return fail('org_required')
    return { ok: true, user: principal.user, session: principal.session, org: principal.organization, membership: principal.membership }
  }
  const slug = canonicalSlug(options.slug)
  const row = slug && /^[a-z0-9-]{1,63}$/.test(slug) ? await orgsDb(ctx.db).selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst() : undefined
  const amr = principal.session ? principal.session.amr : null
  // A token bound to an organization acts only in that one.
  if (principal.apiToken) {
    if (!row || principal.organization?.id !== row.id || !principal.membership) return fail('not_found')
    return { ok: true, user: principal.user, session: null, org: principal.organization, membership: principal.membership }
  }
  const gate = await organizationGate(ctx, ctx.db, principal.user.id, row?.id ?? null, amr)
  if (!gate.ok) return gate
  let session = principal.session
  if (options.activate && session && session.activeOrganizationId !== gate.value.org.id) {
    session = await ctx.db.transaction().execute(async (trx) => activateIn(ctx, trx, principal.user.id, session!, gate.value.org.id))
    if (!session) return fail('not_found')
  }
  return { ok: true, user: principal.user, session, org: gate.value.org, membership: gate.value.membership }
}

async function activateIn(ctx: OrgsContext, trx: Trx, userId: string, session: Session, organizationId: string): Promise<Session | null> {
  const gate = await organizationGate(ctx, trx, userId, organizationId, session.amr, { lock: true })
  if (!gate.ok) return null
  const row = await trx.updateTable('sessions').set({ active_organization_id: organizationId }).where('id', '=', session.id).where('user_id', '=', userId).returningAll().executeTakeFirst()
  if (!row) return null
  await rememberChoice(ctx, trx, userId, organizationId)
  await writeOrgAudit(ctx, trx, organizationId, { action: 'organization.switch', userId, metadata: { session_id: session.id, from: session.activeOrganizationId, to: organizationId, via: 'url' } })
  return toSession(row, ctx.config.sessions.idleTimeout)
}

/** Remembers the organization an account chose last, for its next sign-in (inside the switch's transaction). */
async function rememberChoice(ctx: OrgsContext, trx: Trx, userId: string, organizationId: string): Promise<void> {
  const at = ctx.config.clock()
  await orgsDb(trx)
    .insertInto('organization_last_active')
    .values({ user_id: userId, organization_id: organizationId, chosen_at: at })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ organization_id: organizationId, chosen_at: at }))
    .execute()
}

/**
 * At sign-in, the new session starts in an organization when it is clear which: the one the account
 * chose last (if still a member), else its only one. Several and no choice yet: none (the user picks).
 */
export async function selectAtSignIn(trx: Trx, userId: string, session: Session): Promise<void> {
  const chosen = await orgsDb(trx)
    .selectFrom('organization_last_active as l')
    .innerJoin('organization_memberships as m', (join) => join.onRef('m.organization_id', '=', 'l.organization_id').onRef('m.user_id', '=', 'l.user_id'))
    .select('l.organization_id')
    .where('l.user_id', '=', userId)
    .executeTakeFirst()
  const memberships = chosen ? [] : await orgsDb(trx).selectFrom('organization_memberships').select('organization_id').where('user_id', '=', userId).limit(2).execute()
  const pick = chosen?.organization_id ?? (memberships.length === 1 ? memberships[0]!.organization_id : null)
  if (!pick) return
  await trx.updateTable('sessions').set({ active_organization_id: pick }).where('id', '=', session.id).execute()
  // The sign-in answers this same session object: it shows the organization it starts in.
  session.activeOrganizationId = pick
}
