import type { MiddlewareHandler } from 'hono'
import type { GuardCheck } from '../../http/middleware/guard.ts'
import type { OrgsApi } from './api.ts'
import type { ActiveOrganization, OrganizationRequest } from './active.ts'
import { canonicalRole } from './roles.ts'
import type { Organization } from './organization.ts'

type WithOrgs = { orgs?: Pick<OrgsApi, 'active' | 'fromRequest'> }

/**
 * A guard rule for host routes that need an active organization (the "RequireOrg" plug), optionally
 * with one of some roles or a permission: `guard(sigra, request, [requireOrg({ roles: ['owner', 'admin'] })])`,
 * `sigraHono(sigra).guard([requireOrg()])`. Refused: 403 `org_required` (JSON), or a browser is sent
 * to the organizations page. The session's organization goes through the same gate as everything
 * (membership, MFA policy).
 */
export function requireOrg(options: { roles?: readonly string[]; permission?: string } = {}): GuardCheck {
  const roles = options.roles?.map((r) => canonicalRole(r)).filter((r): r is string => r !== null)
  return {
    error: 'org_required',
    page: 'orgs',
    async check({ user, session, sigra }) {
      const orgs = (sigra as unknown as WithOrgs).orgs
      if (!orgs) throw new Error('requireOrg needs the organizations() feature in createSigra({ features })')
      const active = await orgs.active({ user, session })
      if (!active) return false
      if (roles && !roles.includes(active.membership.role)) return false
      if (options.permission && !active.membership.permissions.some((p) => p === '*' || p === options.permission)) return false
      return true
    },
  }
}

/** What `organizationRoute` leaves on the Hono context: `c.get('organization')`. */
export interface OrganizationLocals extends ActiveOrganization {
  org: Organization
}

/**
 * The URL-driven loader as Hono middleware for `/orgs/:slug/…` routes: the caller must be a member of
 * the organization the slug names (`404 not_found` otherwise, the same for a slug that does not exist),
 * with one of `roles` when given (403 `forbidden`). With `activate`, the organization also becomes
 * the session's active one.
 *
 * @example
 * app.use('/orgs/:slug/*', organizationRoute(sigra, { activate: true }))
 * app.get('/orgs/:slug/projects', (c) => listProjects(c.get('organization').org.id))
 */
export function organizationRoute(sigra: WithOrgs, options: { param?: string; roles?: readonly string[]; activate?: boolean } = {}): MiddlewareHandler<{ Variables: { organization: OrganizationLocals } }> {
  const roles = options.roles?.map((r) => canonicalRole(r)).filter((r): r is string => r !== null)
  return async (c, next) => {
    if (!sigra.orgs) throw new Error('organizationRoute needs the organizations() feature in createSigra({ features })')
    const result: OrganizationRequest = await sigra.orgs.fromRequest(c.req.raw, { slug: c.req.param(options.param ?? 'slug') ?? '', activate: options.activate === true })
    if (!result.ok) {
      const status = result.error === 'unauthenticated' ? 401 : result.error === 'not_found' ? 404 : 403
      return c.json({ ok: false, error: result.error }, status, { 'Cache-Control': 'no-store' })
    }
    if (roles && !roles.includes(result.membership.role)) return c.json({ ok: false, error: 'forbidden' }, 403, { 'Cache-Control': 'no-store' })
    c.set('organization', { org: result.org, membership: result.membership })
    await next()
    return undefined
  }
}
