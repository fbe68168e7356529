import { forRequest } from '../../../http/request-meta.ts'
import { errorSummary } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import type { AdminApi } from '../api.ts'
import type { AdminSettings } from '../options.ts'
import type { UserFilter } from '../users.ts'
import { adminFlash, adminNav } from './admin-nav.ts'
import { field, select } from './admin-controls.ts'
import { refusalPage } from './refusal-page.ts'
import { failureSummary } from './admin-messages.ts'
import { displayName, roleLabel, roleOptions, STATUS_LABELS } from './role-options.ts'

const PARAMS = ['search', 'role', 'status', 'confirmed', 'sort', 'direction'] as const
const PAGE_SIZE = 25

/** The users list (`users:read`): search, filters, sorting, and "Next" with the sealed cursor. */
export function usersListPage(api: AdminApi, settings: AdminSettings): Page {
  return definePage({
    path: '/admin/users',
    auth: true,
    async get(c, deps, current) {
      const q = Object.fromEntries(PARAMS.map((p) => [p, c.req.query(p) ?? ''])) as Record<(typeof PARAMS)[number], string>
      const cursor = c.req.query('cursor') ?? ''
      const filter: UserFilter = {
        ...(q.search.trim() ? { search: q.search } : {}),
        ...(q.role ? { role: q.role } : {}),
        ...(q.status ? { status: q.status as never } : {}),
        ...(q.confirmed === 'yes' ? { confirmed: true } : q.confirmed === 'no' ? { confirmed: false } : {}),
        ...(q.sort ? { sort: q.sort as never } : {}),
        ...(q.direction ? { direction: q.direction as never } : {}),
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      }
      const admin = forRequest(api, deps)
      const result = await admin.listUsers(current.user, filter)
      if (!result.ok && result.error === 'forbidden') return refusalPage(c, deps, 'forbidden')
      const readsAudit = await admin.authority(current.user, { permission: 'audit:read' })
      const issues = (name: string) => (!result.ok ? (result.issues ?? []).filter((i) => i.field === name).map((i) => i.message) : [])
      const kept = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== ''))
      const next = result.ok && result.nextCursor ? `${pagePath(deps.config, 'admin/users')}?${new URLSearchParams([...kept, ['cursor', result.nextCursor]])}` : null
      const first = cursor ? `${pagePath(deps.config, 'admin/users')}${kept.size ? `?${kept}` : ''}` : null
      const users = result.ok ? result.users : []
      return renderPage(c, deps, {
        title: 'Users',
        status: result.ok ? 200 : deps.statusFor(result.error),
        content: h`<div class="wide">
${adminFlash(c)}
<h1>Users</h1>
${adminNav(deps.config, 'users', { audit: readsAudit })}
${errorSummary(result.ok ? null : failureSummary(result, ['search', 'role', 'status', 'sort', 'direction']))}
<form class="card filters" method="get" action="${pagePath(deps.config, 'admin/users')}" role="search" aria-label="Find users">
${field({ id: 'search', name: 'search', label: 'Search', type: 'search', value: q.search, hint: 'Email, username or name', maxlength: 200, issues: issues('search') })}
<div class="row">
${select({ id: 'role', name: 'role', label: 'Role', value: q.role, options: [['', 'Any'], ...roleOptions(settings)], issues: issues('role') })}
${select({ id: 'status', name: 'status', label: 'Status', value: q.status, options: [['', 'Any'], ['active', 'Active'], ['suspended', 'Suspended'], ['banned', 'Banned'], ['disabled', 'Disabled']], issues: issues('status') })}
${select({ id: 'confirmed', name: 'confirmed', label: 'Confirmed', value: q.confirmed, options: [['', 'Any'], ['yes', 'Yes'], ['no', 'No']] })}
${select({ id: 'sort', name: 'sort', label: 'Sort by', value: q.sort, options: [['', 'Created'], ['email', 'Email'], ['last_login_at', 'Last sign-in']], issues: issues('sort') })}
${select({ id: 'direction', name: 'direction', label: 'Order', value: q.direction, options: [['', 'Newest / Z first'], ['asc', 'Oldest / A first']], issues: issues('direction') })}
</div>
<div class="actions"><button type="submit">Search</button>${kept.size ? h`<a href="${pagePath(deps.config, 'admin/users')}">Clear</a>` : ''}</div>
</form>
${users.length === 0
  ? h`<p class="muted">${result.ok ? 'No users match.' : ''}</p>`
  : h`<table class="list">
<caption class="sr-only">Users${cursor ? ' (later page)' : ''}</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Last sign-in</th></tr></thead>
<tbody>${users.map((u) => {
  const name = displayName(u.customFields)
  return h`<tr>
<td data-label="Account"><a href="${pagePath(deps.config, `admin/users/${u.id}`)}">${u.email}</a>${name || u.username ? h`<br><span class="muted">${[name, u.username ? `@${u.username}` : ''].filter(Boolean).join(' · ')}</span>` : ''}</td>
<td data-label="Role">${u.roles.map((r) => roleLabel(settings, r)).join(', ')}</td>
<td data-label="Status">${STATUS_LABELS[u.status] ?? u.status}${u.confirmedAt ? '' : h`<br><span class="muted">not confirmed</span>`}</td>
<td data-label="Created">${formatDate(u.createdAt)}</td>
<td data-label="Last sign-in">${u.lastLoginAt ? formatDate(u.lastLoginAt) : h`<span class="muted">never</span>`}</td>
</tr>`
})}</tbody></table>`}
${next || first ? h`<nav class="pager" aria-label="Pages">${first ? h`<a href="${first}">First page</a>` : ''}${next ? h`<a class="button secondary" href="${next}" rel="next">Next</a>` : ''}</nav>` : ''}
</div>`,
      })
    },
  })
}
