import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { cookieToken } from '../../http/api/session-cookie.ts'
import type { HttpContext } from '../../http/http-env.ts'
import { forRequest } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { OrgsApi } from './api.ts'

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max))

/**
 * The organizations JSON API, for the signed-in user (the session cookie). Every route that names an
 * organization answers `404 not_found` unless the caller is a member of it — the same answer as for
 * an organization that does not exist — and `403 forbidden` when their role may not.
 */
export function organizationRoutes(api: OrgsApi): ApiRoute[] {
  const me = (c: HttpContext) => c.get('current')!.user
  const org = (c: HttpContext) => c.req.param('id') ?? ''
  const route = (method: 'get' | 'post' | 'delete', path: string, summary: string, responses: Record<number, string>) => ({ method, path, tag: 'organizations', summary, auth: true as const, responses })
  const NF = { 404: 'not_found: no such organization, or you are not a member' }
  return [
    defineRoute({
      ...route('get', '/orgs', 'Your organizations, each with your role in it.', { 200: '`organizations`' }),
      async handle(c, _b, deps) {
        return ok(c, { organizations: await forRequest(api, deps).list(me(c)) })
      },
    }),
    defineRoute({
      ...route('post', '/orgs', 'Create an organization; you become its owner. The slug is made from the name unless given (NFKC, lower case, ASCII letters, digits and inner hyphens, 3–63, not reserved).', { 201: '`org` and your `membership`', 400: 'invalid', 409: 'slug_taken', 429: 'rate_limited' }),
      body: v.object({ name: Text(200), slug: v.optional(v.nullable(Text(200))) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).create(me(c), body)
        return result.ok ? ok(c, { org: result.org, membership: result.membership }, 201) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/active', "Set this session's active organization (null clears it). Only an organization you are a member of, whose policy this session meets.", { 200: '`session`', ...NF, 403: 'org_mfa_required' }),
      body: v.object({ organizationId: v.nullable(Text(64)) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).setActive(c.get('renewedToken') ?? cookieToken(c, deps), body.organizationId)
        return result.ok ? ok(c, { session: result.session }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/orgs/:id', 'One of your organizations, with your membership.', { 200: '`org`, `membership`', ...NF }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).get(me(c), org(c))
        return result.ok ? ok(c, { org: result.org, membership: result.membership }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/settings', 'Rename, change the slug, or set the policies (requireMfa; autoJoin with verified domains). Owners and admins.', { 200: '`org`', 400: 'invalid', 403: 'forbidden', ...NF, 409: 'slug_taken' }),
      body: v.object({ name: v.optional(Text(200)), slug: v.optional(Text(200)), requireMfa: v.optional(v.boolean()), autoJoin: v.optional(v.boolean()) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).update(me(c), org(c), body)
        return result.ok ? ok(c, { org: result.org }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('delete', '/orgs/:id', 'Delete the organization: its memberships, invitations and organization-bound tokens go with it. Owners, with a sudo-fresh session.', { 200: 'Deleted', 403: 'forbidden or sudo_required', ...NF, 409: 'personal_org' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).delete(me(c), org(c), { session: c.get('current')!.session })
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/orgs/:id/members', 'The members with their roles (any member may see them).', { 200: '`members`', ...NF }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).members(me(c), org(c))
        return result.ok ? ok(c, { members: result.members }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/members/:userId/role', 'Give a member another role: never above your own, never to a member of equal or higher rank; the last owner keeps it.', { 200: '`membership`', 400: 'invalid (unknown_role)', 403: 'forbidden', ...NF, 409: 'last_owner' }),
      body: v.object({ role: Text(64) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).setRole(me(c), org(c), c.req.param('userId') ?? '', body.role)
        return result.ok ? ok(c, { membership: result.membership }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('delete', '/orgs/:id/members/:userId', 'Remove a member ranking below you (yourself: leave). Their sessions lose it as active organization.', { 200: 'Removed', 403: 'forbidden', ...NF, 409: 'last_owner' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).removeMember(me(c), org(c), c.req.param('userId') ?? '')
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/leave', 'Leave the organization. The last owner cannot: make someone else owner first.', { 200: 'Left', ...NF, 409: 'last_owner' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).leave(me(c), org(c))
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/transfer', 'Hand ownership to another member (owners): they become owner, you become admin.', { 200: 'Their `membership`', 400: 'invalid', 403: 'forbidden', ...NF }),
      body: v.object({ userId: Text(64) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).transferOwnership(me(c), org(c), body.userId)
        return result.ok ? ok(c, { membership: result.membership }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/orgs/:id/invitations', 'Invitations not yet accepted or revoked (owners, admins, roles with members:invite).', { 200: '`invitations` (never their tokens)', 403: 'forbidden', ...NF }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).invitations(me(c), org(c))
        return result.ok ? ok(c, { invitations: result.invitations }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/invitations', 'Invite an address with a role no higher than yours. The link is mailed (never answered here), works once, for 7 days, for the account with that confirmed address.', { 201: '`invitation`', 400: 'invalid (unknown_role)', 403: 'forbidden', ...NF, 409: 'already_member, already_invited or personal_org', 429: 'rate_limited' }),
      body: v.object({ email: Text(320), role: Text(64) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).invite(me(c), org(c), body)
        return result.ok ? ok(c, { invitation: result.invitation }, 201) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('delete', '/orgs/:id/invitations/:invitationId', 'Revoke a pending invitation: its link stops working.', { 200: 'Revoked', 403: 'forbidden', ...NF }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).revokeInvitation(me(c), org(c), c.req.param('invitationId') ?? '')
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/invitations/:invitationId/resend', 'Mail the invitation again with a new link (the old one stops working), valid 7 days again. 3 an hour.', { 200: '`invitation`', 403: 'forbidden', ...NF, 429: 'rate_limited' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).resendInvitation(me(c), org(c), c.req.param('invitationId') ?? '')
        return result.ok ? ok(c, { invitation: result.invitation }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/orgs/:id/audit', "The organization's audit log, newest first (owners and admins): ?cursor, limit.", { 200: '`events`, `nextCursor`', 400: 'invalid', 403: 'forbidden', ...NF }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).audit(me(c), org(c), { cursor: c.req.query('cursor'), limit: c.req.query('limit') === undefined ? undefined : Number(c.req.query('limit')) })
        return result.ok ? ok(c, { events: result.events, nextCursor: result.nextCursor }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/orgs/:id/domains', 'Domains and their verification records (owners and admins; with domains enabled).', { 200: '`domains`', 403: 'forbidden', ...NF, 409: 'feature_unavailable' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).domains(me(c), org(c))
        return result.ok ? ok(c, { domains: result.domains }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/domains', 'Add a domain to verify: answers the TXT record to publish.', { 200: '`domain`', 400: 'invalid', 403: 'forbidden', ...NF, 409: 'feature_unavailable' }),
      body: v.object({ domain: Text(253) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).addDomain(me(c), org(c), body.domain)
        return result.ok ? ok(c, { domain: result.domain }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/domains/verify', 'Check the TXT record and mark the domain verified.', { 200: '`domain`', 403: 'forbidden', ...NF, 409: 'not_verified, domain_taken or feature_unavailable' }),
      body: v.object({ domain: Text(253) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).verifyDomain(me(c), org(c), body.domain)
        return result.ok ? ok(c, { domain: result.domain }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('delete', '/orgs/:id/domains/:domain', 'Remove a domain (members who joined through it stay).', { 200: 'Removed', 403: 'forbidden', ...NF, 409: 'feature_unavailable' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).removeDomain(me(c), org(c), c.req.param('domain') ?? '')
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/orgs/:id/api-tokens', 'A personal access token bound to this organization (with the api-tokens feature; its scopes and sudo rule). Shown once.', { 201: '`token`, `apiToken`', 400: 'invalid', 403: 'sudo_required', ...NF, 409: 'feature_unavailable or too_many_tokens' }),
      body: v.object({ name: Text(200), scopes: v.pipe(v.array(Text(64)), v.maxLength(64)), expiresInDays: v.optional(v.nullable(v.number())) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).createApiToken(me(c), org(c), body, { session: c.get('current')!.session })
        return result.ok ? ok(c, { token: result.token, apiToken: result.apiToken }, 201) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/org-invitations/preview',
      tag: 'organizations',
      summary: 'What an invitation link is for (organization, invited address, role), without using it. Counted like a token redemption.',
      body: v.object({ token: Text(128) }),
      responses: { 200: '`invitation`', 400: 'invalid_token', 429: 'rate_limited' },
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).previewInvitation(body.token)
        return result.ok ? ok(c, { invitation: result.invitation }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/org-invitations/accept', 'Accept an invitation as the signed-in user, whose confirmed address must be the invited one. Works once.', { 200: '`membership`, `org`', 400: 'invalid_token', 403: 'email_mismatch or unconfirmed', 429: 'rate_limited' }),
      body: v.object({ token: Text(128) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).acceptInvitation(me(c), body.token)
        return result.ok ? ok(c, { membership: result.membership, org: result.org }) : failure(c, result)
      },
    }),
  ]
}
