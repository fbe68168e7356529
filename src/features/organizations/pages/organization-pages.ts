import { safeReturnTo } from '../../../http/middleware/safe-return-to.ts'
import { cookieToken } from '../../../http/api/session-cookie.ts'
import type { HttpContext } from '../../../http/http-env.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { buttonForm, errorSummary, hidden, input } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h, type Html } from '../../../web/html.ts'
import { definePage, type Current, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { Form } from '../../../web/read-form.ts'
import { renderPage } from '../../../web/render-page.ts'
import { seeOther } from '../../../web/see-other.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import type { OrgsApi } from '../api.ts'
import type { OrganizationsSettings } from '../options.ts'
import type { Invitation, Member, Membership, Organization } from '../organization.ts'
import { ORG_PERMISSIONS } from '../roles.ts'
import { doneMessage, orgMessage } from './messages.ts'

type Failure = { error: string; issues?: ReadonlyArray<{ field: string; message: string }>; retryAfter?: number }
/** Which form on the organization page a failure belongs to (its message is shown there). */
type Where = 'settings' | 'members' | 'invite' | 'invitations' | 'danger'

const path = (deps: { config: { pagesPath: string } }, page: string, query?: Record<string, string>) => pagePath(deps.config, page, query)

/**
 * The organization pages: the list and switch, create, an organization's own page (details and
 * policy, members with their roles, invitations, the danger zone), and the page an invitation link
 * opens. Every form posts to a fixed path naming the organization in a field; the domain answers
 * `not_found` for an organization the user is not in, whatever the form says.
 */
export function organizationPages(api: OrgsApi, settings: OrganizationsSettings): Page[] {
  const orgs = (deps: WebDeps) => forRequest(api, deps)
  const done = (c: HttpContext) => doneMessage(c.req.query('done'))
  const ttlDays = Math.round(settings.invitationTtlSeconds / 86_400)

  /** The organization's page, rendered with a failure in place (or none). */
  async function orgPage(c: HttpContext, deps: WebDeps, current: Current, org: Organization, membership: Membership, failure: { where: Where; result: Failure } | null, status = 200): Promise<Response> {
    const o = orgs(deps)
    const roles = await o.roles()
    const rankOf = (role: string) => roles.find((r) => r.name === role)?.rank ?? 0
    const mine = roles.find((r) => r.name === membership.role)
    const myRank = mine?.rank ?? 0
    const may = (permission: string) => (mine?.permissions ?? []).some((p) => p === '*' || p === permission)
    const grantable = roles.filter((r) => r.rank <= myRank)
    const members = await o.members(current.user, org.id)
    const invitations = may(ORG_PERMISSIONS.invite) ? await o.invitations(current.user, org.id) : null
    const issues = (where: Where, field: string) => (failure?.where === where ? (failure.result.issues ?? []).filter((i) => i.field === field).map((i) => i.message) : [])
    const summary = (where: Where) => (failure?.where === where ? errorSummary(failure.result.issues?.length && failure.result.error === 'invalid' ? 'Some fields need attention: see the messages next to them.' : orgMessage(failure.result.error, failure.result.retryAfter)) : '')
    const orgField = hidden('organization', org.id)
    const roleLabel = (role: string) => roles.find((r) => r.name === role)?.label ?? role
    const roleOptions = (selected: string) => grantable.map((r) => h`<option value="${r.name}"${r.name === selected ? h` selected` : ''}>${r.label}</option>`)

    const memberRow = (m: Member): Html => {
      const self = m.userId === current.user.id
      const canChange = may(ORG_PERMISSIONS.manage) && (self || rankOf(m.role) < myRank)
      const canRemove = may(ORG_PERMISSIONS.manage) && !self && rankOf(m.role) < myRank
      const id = `role-${m.userId}`
      return h`<tr>
<td data-label="Member"><strong>${m.email}</strong>${self ? h` <span class="tag">you</span>` : ''}</td>
<td data-label="Role">${canChange
  ? h`<form method="post" action="${path(deps, 'orgs/members/role')}" class="inline-form">${orgField}${hidden('user', m.userId)}<div class="field"><label for="${id}" class="sr-only">Role of ${m.email}</label><select id="${id}" name="role">${roleOptions(m.role)}</select></div><button type="submit" class="secondary" aria-label="Change the role of ${m.email}">Change</button></form>`
  : roleLabel(m.role)}</td>
<td data-label="Joined">${formatDate(m.createdAt)}</td>
<td data-label="Actions">${canRemove
  ? buttonForm({ action: path(deps, 'orgs/members/remove'), label: 'Remove', ariaLabel: `Remove ${m.email}`, fields: { organization: org.id, user: m.userId }, variant: 'secondary', confirm: `Remove ${m.email} from ${org.name}?` })
  : self ? buttonForm({ action: path(deps, 'orgs/leave'), label: 'Leave', ariaLabel: `Leave ${org.name}`, fields: { organization: org.id }, variant: 'secondary', confirm: `Leave ${org.name}?` }) : ''}</td>
</tr>`
    }

    const invitationRow = (i: Invitation): Html => h`<tr>
<td data-label="Address">${i.email}</td>
<td data-label="Role">${roleLabel(i.role)}</td>
<td data-label="${i.status === 'expired' ? 'Expired' : 'Expires'}">${i.status === 'expired' ? h`<span class="status">expired</span> ` : ''}${formatDate(i.expiresAt)}</td>
<td data-label="Actions"><div class="actions">${rankOf(i.role) <= myRank
  ? h`${buttonForm({ action: path(deps, 'orgs/invitations/resend'), label: 'Resend', ariaLabel: `Resend the invitation to ${i.email}`, fields: { organization: org.id, invitation: i.id }, variant: 'secondary' })}
${buttonForm({ action: path(deps, 'orgs/invitations/revoke'), label: 'Revoke', ariaLabel: `Revoke the invitation to ${i.email}`, fields: { organization: org.id, invitation: i.id }, variant: 'secondary', confirm: `Revoke the invitation to ${i.email}?` })}`
  : ''}</div></td>
</tr>`

    const notice = done(c)
    const content = h`<div class="wide"><h1>${org.name}</h1>
${notice ? h`<div class="flash ok" role="status"><p>${notice}</p></div>` : ''}
<p class="muted">Address <code>${org.slug}</code> · your role: <strong>${roleLabel(membership.role)}</strong>${org.personal ? ' · personal organization' : ''}${current.session.activeOrganizationId === org.id ? h` · <span class="tag">active</span>` : ''}</p>
${current.session.activeOrganizationId === org.id ? '' : h`<div class="actions">${buttonForm({ action: path(deps, 'orgs/switch'), label: `Switch to ${org.name}`, fields: { organization: org.id, return_to: path(deps, `orgs/${org.slug}`) } })}</div>`}

<section class="card" id="members" aria-labelledby="members-title">
<h2 id="members-title">Members</h2>
${summary('members')}
${members.ok
  ? h`<table class="list"><thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${members.members.map(memberRow)}</tbody></table>`
  : ''}
</section>

${invitations?.ok && !org.personal
  ? h`<section class="card" id="invitations" aria-labelledby="invitations-title">
<h2 id="invitations-title">Invitations</h2>
${summary('invite')}
<form method="post" action="${path(deps, 'orgs/invitations')}" class="inline-form" novalidate>${orgField}
${input({ id: 'invite-email', name: 'email', label: 'Email address', type: 'email', autocomplete: 'off', issues: issues('invite', 'email') })}
<div class="field"><label for="invite-role">Role</label>${issues('invite', 'role').length ? h`<p class="issue" id="invite-role-issue">${issues('invite', 'role').join(' ')}</p>` : ''}<select id="invite-role" name="role">${roleOptions('member')}</select></div>
<button type="submit">Invite</button>
</form>
<p class="hint">The link works once, for ${ttlDays} day${ttlDays === 1 ? '' : 's'}, and only for an account whose confirmed address is the invited one.</p>
${summary('invitations')}
${invitations.invitations.length === 0
  ? h`<p class="muted">No pending invitations.</p>`
  : h`<table class="list"><thead><tr><th scope="col">Address</th><th scope="col">Role</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${invitations.invitations.map(invitationRow)}</tbody></table>`}
</section>`
  : ''}

${may(ORG_PERMISSIONS.update)
  ? h`<section class="card" id="details" aria-labelledby="details-title">
<h2 id="details-title">Details</h2>
${summary('settings')}
<form method="post" action="${path(deps, 'orgs/settings')}" novalidate>${orgField}
${input({ id: 'org-name', name: 'name', label: 'Name', type: 'text', autocomplete: 'organization', value: org.name, issues: issues('settings', 'name'), maxlength: 100 })}
${input({ id: 'org-slug', name: 'slug', label: 'Address', type: 'text', autocomplete: 'off', value: org.slug, hint: 'Lower-case letters, digits and hyphens, 3 to 63 characters. Links with the old address stop working.', issues: issues('settings', 'slug'), maxlength: 63 })}
<div class="field"><label class="check"><input type="checkbox" name="require_mfa" value="on"${org.requireMfa ? h` checked` : ''}> Require two-factor authentication</label>
<span class="hint">Members can then use this organization only after signing in with a second factor.</span></div>
<div class="actions"><button type="submit">Save</button></div>
</form>
</section>`
  : ''}

<section class="card" id="danger" aria-labelledby="danger-title">
<h2 id="danger-title">Danger zone</h2>
${summary('danger')}
${org.personal ? h`<p>This is your personal organization: it goes with your account.</p>` : h`<p>Leaving removes your access at once. ${membership.role === 'owner' ? 'As an owner, make another member owner first.' : ''}</p>
${buttonForm({ action: path(deps, 'orgs/leave'), label: `Leave ${org.name}`, fields: { organization: org.id }, variant: 'secondary', confirm: `Leave ${org.name}?` })}`}
${may(ORG_PERMISSIONS.delete) && !org.personal
  ? h`<h3>Delete this organization</h3>
<p>Its members lose access, pending invitations stop working, and tokens bound to it are revoked. This cannot be undone.</p>
<form method="post" action="${path(deps, 'orgs/delete')}" novalidate>${orgField}
${input({ id: 'delete-confirm', name: 'confirm', label: `Type ${org.slug} to confirm`, type: 'text', autocomplete: 'off', issues: issues('danger', 'confirm'), maxlength: 63 })}
<div class="actions"><button type="submit" class="danger">Delete organization</button></div>
</form>`
  : ''}
</section>
<p><a href="${path(deps, 'orgs')}">All your organizations</a></p></div>`
    return renderPage(c, deps, { title: org.name, status, content })
  }

  /** Runs an action on the organization a form names, then back to its page (303), or its page with the failure in place. */
  const action = (pagePathName: string, where: Where, run: (deps: WebDeps, current: Current, form: Form, orgId: string) => Promise<{ ok: boolean } & Partial<Failure>>, doneCode: string, options: { sudo?: { label: string; fields: string[] } } = {}): Page => {
    const page: Page = definePage({
      path: `/${pagePathName}`,
      auth: true,
      ...(options.sudo ? { sudo: options.sudo } : {}),
      async post(c, deps, form, current) {
        const orgId = form.get('organization')
        const before = await orgs(deps).get(current.user, orgId)
        if (!before.ok) return renderPage(c, deps, { title: 'Not found', status: 404, content: h`<h1>Not found</h1>${errorSummary(orgMessage('not_found'))}<p><a href="${path(deps, 'orgs')}">Your organizations</a></p>` })
        const result = await run(deps, current, form, orgId)
        if (result.ok) {
          const after = await orgs(deps).get(current.user, orgId)
          return seeOther(c, after.ok ? path(deps, `orgs/${after.org.slug}`, { done: doneCode }) : path(deps, 'orgs', { done: doneCode }))
        }
        if (result.error === 'sudo_required' && options.sudo) return sudoPrompt(c, deps, page, form)
        const failure = { error: result.error!, ...(result.issues ? { issues: result.issues } : {}), ...(result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}) }
        return orgPage(c, deps, current, before.org, before.membership, { where, result: failure }, deps.statusFor(failure.error))
      },
    })
    return page
  }

  const list = definePage({
    path: '/orgs',
    auth: true,
    async get(c, deps, current) {
      const mine = await orgs(deps).list(current.user)
      const active = await orgs(deps).active(current)
      const notice = done(c)
      return renderPage(c, deps, {
        title: 'Organizations',
        content: h`<h1>Organizations</h1>
${notice ? h`<div class="flash ok" role="status"><p>${notice}</p></div>` : ''}
${errorSummary(c.req.query('error') === 'org_required' ? orgMessage('org_required') : null)}
<section class="card" aria-labelledby="orgs-title">
<h2 id="orgs-title">Your organizations</h2>
${mine.length === 0
  ? h`<p class="muted">You are not in any organization yet. Create one, or accept an invitation from the mail you received.</p>`
  : h`<ul class="sessions">${mine.map((o) => h`<li><div><a href="${path(deps, `orgs/${o.slug}`)}"><strong>${o.name}</strong></a>${active?.org.id === o.id ? h` <span class="tag">active</span>` : ''}<br><span class="muted">${o.slug} · ${o.role}${o.personal ? ' · personal' : ''}</span></div>
${active?.org.id === o.id ? '' : buttonForm({ action: path(deps, 'orgs/switch'), label: 'Switch', ariaLabel: `Switch to ${o.name}`, fields: { organization: o.id, return_to: path(deps, 'orgs') }, variant: 'secondary' })}</li>`)}</ul>`}
<div class="actions"><a class="button" href="${path(deps, 'orgs/new')}">Create organization</a></div>
</section>`,
      })
    },
  })

  const createForm = (deps: WebDeps, values: { name: string; slug: string }, failure: Failure | null) => {
    const issues = (field: string) => (failure?.issues ?? []).filter((i) => i.field === field).map((i) => i.message)
    return h`<h1>Create an organization</h1>
${errorSummary(failure ? (failure.issues?.length && failure.error === 'invalid' ? 'Some fields need attention: see the messages next to them.' : orgMessage(failure.error, failure.retryAfter)) : null)}
<form class="card" method="post" action="${path(deps, 'orgs/new')}" novalidate>
${input({ id: 'org-name', name: 'name', label: 'Name', type: 'text', autocomplete: 'organization', value: values.name, issues: issues('name'), autofocus: true, maxlength: 100 })}
${input({ id: 'org-slug', name: 'slug', label: 'Address (optional)', type: 'text', autocomplete: 'off', value: values.slug, hint: 'Lower-case letters, digits and hyphens, 3 to 63 characters. Leave it empty to make one from the name.', issues: issues('slug'), required: false, maxlength: 63 })}
<div class="actions"><button type="submit">Create organization</button><a href="${path(deps, 'orgs')}">Cancel</a></div>
</form>`
  }

  const create = definePage({
    path: '/orgs/new',
    auth: true,
    get: (c, deps) => renderPage(c, deps, { title: 'Create an organization', content: createForm(deps, { name: '', slug: '' }, null) }),
    async post(c, deps, form, current) {
      const values = { name: form.get('name'), slug: form.get('slug') }
      const result = await orgs(deps).create(current.user, { name: values.name, slug: values.slug.trim() === '' ? null : values.slug })
      if (!result.ok) return renderPage(c, deps, { title: 'Create an organization', status: deps.statusFor(result.error), content: createForm(deps, values, result) })
      // The new organization becomes this session's active one.
      await orgs(deps).setActive(c.get('renewedToken') ?? cookieToken(c, deps), result.org.id)
      return seeOther(c, path(deps, `orgs/${result.org.slug}`, { done: 'created' }))
    },
  })

  const switchPage = definePage({
    path: '/orgs/switch',
    auth: true,
    async post(c, deps, form) {
      const chosen = form.get('organization')
      const result = await orgs(deps).setActive(c.get('renewedToken') ?? cookieToken(c, deps), chosen === '' ? null : chosen)
      const back = safeReturnTo(form.get('return_to'), path(deps, 'orgs'))
      if (result.ok) return seeOther(c, back)
      return renderPage(c, deps, { title: 'Organizations', status: deps.statusFor(result.error), content: h`<h1>Organizations</h1>${errorSummary(orgMessage(result.error))}<p><a href="${path(deps, 'orgs')}">Your organizations</a></p>` })
    },
  })

  const orgView = definePage({
    path: '/orgs/:slug',
    auth: true,
    async get(c, deps, current) {
      const found = await orgs(deps).getBySlug(current.user, c.req.param('slug') ?? '')
      if (!found.ok) return renderPage(c, deps, { title: 'Not found', status: 404, content: h`<h1>Not found</h1>${errorSummary(orgMessage('not_found'))}<p><a href="${path(deps, 'orgs')}">Your organizations</a></p>` })
      return orgPage(c, deps, current, found.org, found.membership, null)
    },
  })

  const update = action('orgs/settings', 'settings', (deps, current, form, orgId) =>
    orgs(deps).update(current.user, orgId, { name: form.get('name'), slug: form.get('slug'), requireMfa: form.get('require_mfa') === 'on' }), 'updated')
  const setRole = action('orgs/members/role', 'members', (deps, current, form, orgId) => orgs(deps).setRole(current.user, orgId, form.get('user'), form.get('role')), 'role_changed')
  const remove = action('orgs/members/remove', 'members', (deps, current, form, orgId) => orgs(deps).removeMember(current.user, orgId, form.get('user')), 'removed')
  const invite = action('orgs/invitations', 'invite', (deps, current, form, orgId) => orgs(deps).invite(current.user, orgId, { email: form.get('email'), role: form.get('role') }), 'invited')
  const resend = action('orgs/invitations/resend', 'invitations', (deps, current, form, orgId) => orgs(deps).resendInvitation(current.user, orgId, form.get('invitation')), 'resent')
  const revoke = action('orgs/invitations/revoke', 'invitations', (deps, current, form, orgId) => orgs(deps).revokeInvitation(current.user, orgId, form.get('invitation')), 'revoked')

  const leave = definePage({
    path: '/orgs/leave',
    auth: true,
    async post(c, deps, form, current) {
      const orgId = form.get('organization')
      const before = await orgs(deps).get(current.user, orgId)
      const result = await orgs(deps).leave(current.user, orgId)
      if (result.ok) return seeOther(c, path(deps, 'orgs', { done: 'left' }))
      if (!before.ok) return renderPage(c, deps, { title: 'Not found', status: 404, content: h`<h1>Not found</h1>${errorSummary(orgMessage('not_found'))}` })
      return orgPage(c, deps, current, before.org, before.membership, { where: 'danger', result }, deps.statusFor(result.error))
    },
  })

  const remove_: Page = definePage({
    path: '/orgs/delete',
    auth: true,
    sudo: { label: 'delete the organization', fields: ['organization', 'confirm'] },
    async post(c, deps, form, current) {
      const orgId = form.get('organization')
      const before = await orgs(deps).get(current.user, orgId)
      if (!before.ok) return renderPage(c, deps, { title: 'Not found', status: 404, content: h`<h1>Not found</h1>${errorSummary(orgMessage('not_found'))}` })
      if (form.get('confirm').trim().toLowerCase() !== before.org.slug) {
        return orgPage(c, deps, current, before.org, before.membership, { where: 'danger', result: { error: 'invalid', issues: [{ field: 'confirm', message: `Type ${before.org.slug} to confirm.` }] } }, 400)
      }
      const result = await orgs(deps).delete(current.user, orgId, { session: current.session })
      if (result.ok) return seeOther(c, path(deps, 'orgs', { done: 'deleted' }))
      if (result.error === 'sudo_required') return sudoPrompt(c, deps, remove_, form)
      return orgPage(c, deps, current, before.org, before.membership, { where: 'danger', result }, deps.statusFor(result.error))
    },
  })

  /** The page an invitation link opens: what it is for, then accept (signed in with the invited, confirmed address). */
  const invitationView = async (c: HttpContext, deps: WebDeps, current: Current | null, token: string, failure: Failure | null, status?: number): Promise<Response> => {
    const preview = await orgs(deps).previewInvitation(token)
    const here = `${path(deps, 'orgs/invitation')}?token=${encodeURIComponent(token)}`
    if (!preview.ok) {
      return renderPage(c, deps, {
        title: 'Invitation',
        tokenInUrl: true,
        status: status ?? deps.statusFor(preview.error),
        content: h`<h1>Invitation</h1>${errorSummary(orgMessage(failure?.error ?? preview.error, preview.retryAfter))}<p><a href="${path(deps, 'orgs')}">Your organizations</a></p>`,
      })
    }
    const p = preview.invitation
    let body: Html
    if (!current) {
      body = h`<p>To accept, log in with the account for <strong>${p.email}</strong>, or create one with that address and confirm it.</p>
<div class="actions"><a class="button" href="${path(deps, 'log-in', { return_to: here })}">Log in to accept</a><a class="button secondary" href="${path(deps, 'sign-up')}">Create an account</a></div>`
    } else if (current.user.email !== p.email) {
      body = h`<div class="flash warn" role="status"><p>This invitation is for <strong>${p.email}</strong>, and you are logged in as <strong>${current.user.email}</strong>. Log out, then log in with the account for ${p.email} to accept it.</p></div>`
    } else if (current.user.confirmedAt === null) {
      body = h`<div class="flash warn" role="status"><p>${orgMessage('unconfirmed')}</p></div>`
    } else {
      body = h`<form method="post" action="${path(deps, 'orgs/invitation')}">${hidden('token', token)}<div class="actions"><button type="submit">Accept and join ${p.organization.name}</button></div></form>`
    }
    return renderPage(c, deps, {
      title: `Join ${p.organization.name}`,
      tokenInUrl: true,
      ...(status !== undefined ? { status } : {}),
      content: h`<h1>Join ${p.organization.name}</h1>
${failure ? errorSummary(orgMessage(failure.error, failure.retryAfter)) : ''}
<section class="card" aria-labelledby="invitation-title"><h2 id="invitation-title" class="sr-only">The invitation</h2>
<dl class="facts"><dt>Organization</dt><dd>${p.organization.name}</dd><dt>Role</dt><dd>${p.roleLabel}</dd><dt>For</dt><dd>${p.email}</dd>${p.inviterEmail ? h`<dt>Invited by</dt><dd>${p.inviterEmail}</dd>` : ''}<dt>Expires</dt><dd>${formatDate(p.expiresAt)}</dd></dl>
${body}
</section>`,
    })
  }

  const invitation = definePage({
    path: '/orgs/invitation',
    get: (c, deps, current) => invitationView(c, deps, current, c.req.query('token') ?? '', null),
    async post(c, deps, form, current) {
      const token = form.get('token')
      if (!current) return seeOther(c, path(deps, 'log-in', { return_to: `${path(deps, 'orgs/invitation')}?token=${encodeURIComponent(token)}` }))
      const result = await orgs(deps).acceptInvitation(current.user, token)
      if (!result.ok) return invitationView(c, deps, current, token, result, deps.statusFor(result.error))
      await orgs(deps).setActive(c.get('renewedToken') ?? cookieToken(c, deps), result.org.id)
      return seeOther(c, path(deps, `orgs/${result.org.slug}`, { done: 'joined' }))
    },
  })

  // Static paths before `/orgs/:slug` (whose reserved words they are).
  return [list, create, switchPage, invitation, update, setRole, remove, invite, resend, revoke, leave, remove_, orgView]
}
