import { defineFeature } from '../feature.ts'
import type { LifecycleEvent } from '../../kernel/events.ts'
import { principalOrganization, selectAtSignIn } from './active.ts'
import { ORG_FUNCTIONS, type OrgsApi } from './api.ts'
import type { OrgsContext } from './context.ts'
import { orgsDb } from './context.ts'
import { endMembershipsForDeletion, checkSoleOwnership } from './deletion.ts'
import { autoJoin } from './domains.ts'
import { sweepInvitations } from './invitations.ts'
import { createOrganizations } from './migrations.ts'
import { HOOKABLE_EVENTS, organizationsSettings, type OrganizationsOptions } from './options.ts'
import { organizationPages } from './pages/organization-pages.ts'
import { organizationSwitcher } from './pages/switcher.ts'
import { organizationsSection } from './pages/organizations-section.ts'
import { createPersonalIn } from './personal.ts'
import { organizationRoutes } from './routes.ts'
import { organizationTemplates } from './templates.ts'
import './augment.ts'

export const ORGANIZATION_AUDIT_ACTIONS = [
  'organization.create', 'organization.update', 'organization.delete', 'organization.member_add', 'organization.member_remove',
  'organization.member_leave', 'organization.role_change', 'organization.ownership_transfer', 'organization.invitation_create',
  'organization.invitation_resend', 'organization.invitation_revoke', 'organization.invitation_accept', 'organization.switch',
  'organization.domain_add', 'organization.domain_verify', 'organization.domain_remove', 'organization.token_create',
] as const

/**
 * Organizations (multi-tenancy): memberships with ranked roles under one authority rule,
 * invitations bound to a confirmed address, the session's active organization set in one place,
 * tenant isolation (another organization's ids are `not_found`), pages and a JSON API. See
 * docs/organizations.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [organizations({ roles: { billing: { rank: 150, permissions: ['billing:manage'] } } })] })
 * const { org } = await sigra.orgs.create(user, { name: 'Acme' })
 * const { token } = await sigra.orgs.invite(user, org.id, { email: 'ada@example.com', role: 'admin' })
 */
export function organizations(options: OrganizationsOptions = {}) {
  const settings = organizationsSettings(options)
  return defineFeature({
    name: 'organizations',
    key: 'orgs',
    migrations: [createOrganizations],
    errors: {
      forbidden: 403,
      last_owner: 409,
      slug_taken: 409,
      email_mismatch: 403,
      already_member: 409,
      already_invited: 409,
      personal_org: 409,
      org_required: 403,
      org_mfa_required: 403,
      not_verified: 409,
      domain_taken: 409,
      feature_unavailable: 409,
    },
    auditActions: ORGANIZATION_AUDIT_ACTIONS,
    rateLimits: {
      /** Organizations one account creates. */
      orgCreate: { points: 10, duration: 3600 },
      /** Invitations one member sends, a day. */
      orgInvite: { points: 20, duration: 86_400 },
      /** Invitations (and resends) one organization sends, a day. */
      orgInviteOrg: { points: 50, duration: 86_400 },
      /** Resends of one invitation, an hour. */
      orgInviteResend: { points: 3, duration: 3600 },
    },
    templates: organizationTemplates,
    setup(host) {
      const ctx: OrgsContext = { ...host.ctx, orgs: { ...settings, feature: (name) => host.api(name), has: (name) => host.has(name) } }
      const api: OrgsApi = host.bind(ctx, ORG_FUNCTIONS)
      const events = host.ctx.events
      // Listeners write with the request of the change that emitted the event.
      const withRequest = (request: OrgsContext['request']): OrgsContext => ({ ...ctx, request })

      events.on('deletionScheduled', async ({ trx, user, request }) => {
        await checkSoleOwnership(withRequest(request), trx, user.id)
      })
      events.on('userDeleting', ({ trx, user, request }) => endMembershipsForDeletion(withRequest(request), trx, user.id))
      events.on('loggedIn', ({ trx, user, session }) => selectAtSignIn(trx, user.id, session))
      if (settings.personal) events.on('userRegistered', async ({ trx, user, request }) => void (await createPersonalIn(withRequest(request), trx, user)))
      if (settings.domains) {
        events.on('emailConfirmed', async ({ trx, user, request }) => void (await autoJoin(withRequest(request), trx, user)))
        events.on('emailChanged', async ({ trx, user, request }) => void (await autoJoin(withRequest(request), trx, user)))
      }
      for (const name of HOOKABLE_EVENTS) {
        const hook = settings.hooks[name]
        if (hook) events.on(name as LifecycleEvent, hook as never)
      }

      return {
        api,
        principal: (principal) => principalOrganization(ctx, principal),
        routes: organizationRoutes(api),
        pages: organizationPages(api, settings),
        settings: [organizationsSection(api)],
        headerItems: [organizationSwitcher(api)],
        sweeps: {
          /** Ended invitations (accepted, revoked, expired) past the retention (30 days by default). */
          invitations: () => sweepInvitations(ctx),
        },
        async exportData(user, db) {
          const rows = await orgsDb(db)
            .selectFrom('organization_memberships as m')
            .innerJoin('organizations as o', 'o.id', 'm.organization_id')
            .select(['o.id', 'o.name', 'o.slug', 'o.personal_owner_id', 'm.role', 'm.created_at'])
            .where('m.user_id', '=', user.id)
            .orderBy('m.created_at')
            .execute()
          return { memberships: rows.map((r) => ({ organizationId: r.id, name: r.name, slug: r.slug, personal: r.personal_owner_id !== null, role: r.role, joinedAt: r.created_at })) }
        },
      }
    },
  })
}
