import { forRequest } from '../../../http/request-meta.ts'
import { errorSummary } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h } from '../../../web/html.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import type { AdminApi } from '../api.ts'
import type { AuditExplorerFilter } from '../audit-explorer.ts'
import { adminFlash, adminNav } from './admin-nav.ts'
import { field } from './admin-controls.ts'
import { refusalPage } from './refusal-page.ts'
import { failureSummary } from './admin-messages.ts'

const PARAMS = ['actorId', 'userId', 'action', 'actionPrefix', 'from', 'to', 'ip'] as const
type Params = Record<(typeof PARAMS)[number], string>
const PAGE_SIZE = 50

/** A date from the form (`YYYY-MM-DD`, or what the JSON API's `Date.parse` takes), or null when unreadable. */
const dateOf = (s: string) => (s === '' ? undefined : Number.isNaN(Date.parse(s)) ? null : new Date(s))

/**
 * The audit explorer (`audit:read`): filters, newest first, “Next” with the sealed cursor, and the
 * same filters as a CSV download from the JSON API (`<basePath>/admin/audit.csv`).
 */
export function auditExplorerPage(api: AdminApi): Page {
  return definePage({
    path: '/admin/audit',
    auth: true,
    async get(c, deps, current) {
      const q = Object.fromEntries(PARAMS.map((p) => [p, (c.req.query(p) ?? '').trim()])) as Params
      const cursor = c.req.query('cursor') ?? ''
      const from = dateOf(q.from)
      const to = dateOf(q.to)
      const dateIssues = [...(from === null ? [{ field: 'from', code: 'invalid', message: 'A date, like 2026-01-31.' }] : []), ...(to === null ? [{ field: 'to', code: 'invalid', message: 'A date, like 2026-01-31.' }] : [])]
      const filter: AuditExplorerFilter = {
        ...Object.fromEntries((['actorId', 'userId', 'action', 'actionPrefix', 'ip'] as const).filter((p) => q[p] !== '').map((p) => [p, q[p]])),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      }
      const admin = forRequest(api, deps)
      const listed = await admin.listAudit(current.user, filter)
      if (!listed.ok && listed.error === 'forbidden') return refusalPage(c, deps, 'forbidden')
      const result = listed.ok && dateIssues.length ? { ok: false as const, error: 'invalid', issues: dateIssues } : listed
      const issues = (name: string) => (!result.ok ? (result.issues ?? []).filter((i) => i.field === name).map((i) => i.message) : [])
      const events = result.ok ? result.events : []

      const emails = new Map<string, string>()
      for (const id of new Set(events.flatMap((e) => [e.actorId, e.userId]))) {
        if (!id || emails.has(id)) continue
        const found = await admin.getUser(current.user, { id })
        emails.set(id, found.ok ? found.user.email : id === current.user.id ? current.user.email : `${id.slice(0, 8)}… (deleted)`)
      }
      const kept = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== ''))
      const here = pagePath(deps.config, 'admin/audit')
      const filterBy = (name: string, value: string) => `${here}?${new URLSearchParams([...[...kept].filter(([k]) => k !== name), [name, value]])}`
      const next = result.ok && result.nextCursor ? `${here}?${new URLSearchParams([...kept, ['cursor', result.nextCursor]])}` : null
      const csv = `${deps.config.basePath}/admin/audit.csv${kept.size ? `?${kept}` : ''}`
      const person = (id: string | null, type: string, param: 'actorId' | 'userId') =>
        id ? h`<a href="${filterBy(param, id)}" title="Only events ${param === 'actorId' ? 'by' : 'about'} this account">${emails.get(id) ?? id}</a>` : h`<span class="muted">${type === 'system' ? 'system' : '—'}</span>`

      return renderPage(c, deps, {
        title: 'Audit log',
        status: result.ok ? 200 : deps.statusFor(result.error),
        content: h`<div class="wide">
${adminFlash(c)}
<h1>Audit log</h1>
${adminNav(deps.config, 'audit', { audit: true })}
${errorSummary(result.ok ? null : failureSummary(result, [...PARAMS]))}
<form class="card filters" method="get" action="${here}" aria-label="Filter the audit log">
<div class="row">
${field({ id: 'f-action', name: 'action', label: 'Action', type: 'text', value: q.action, hint: 'Exactly, like auth.login', maxlength: 255, issues: issues('action') })}
${field({ id: 'f-prefix', name: 'actionPrefix', label: 'Action starts with', type: 'text', value: q.actionPrefix, hint: 'Like admin.', maxlength: 255, issues: issues('actionPrefix') })}
${field({ id: 'f-ip', name: 'ip', label: 'IP address', type: 'text', value: q.ip, maxlength: 64, issues: issues('ip') })}
</div>
<div class="row">
${field({ id: 'f-actor', name: 'actorId', label: 'Actor id', type: 'text', value: q.actorId, hint: 'Who did it', maxlength: 36, issues: issues('actorId') })}
${field({ id: 'f-user', name: 'userId', label: 'User id', type: 'text', value: q.userId, hint: 'Whom it was about', maxlength: 36, issues: issues('userId') })}
</div>
<div class="row">
${field({ id: 'f-from', name: 'from', label: 'From', type: 'date', value: q.from, hint: 'This day included (UTC)', issues: issues('from') })}
${field({ id: 'f-to', name: 'to', label: 'Before', type: 'date', value: q.to, hint: 'This day not included (UTC)', issues: issues('to') })}
</div>
<div class="actions"><button type="submit">Filter</button>${kept.size ? h`<a href="${here}">Clear</a>` : ''}<a class="button secondary" href="${csv}" download>Export CSV</a></div>
</form>
${events.length === 0
  ? h`<p class="muted">${result.ok ? 'No events match.' : ''}</p>`
  : h`<table class="list">
<caption class="sr-only">Audit events, newest first</caption>
<thead><tr><th scope="col">When, from</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">User</th><th scope="col">Details</th></tr></thead>
<tbody>${events.map((e) => h`<tr>
<td data-label="When">${formatDate(e.occurredAt)}${e.ip ? h`<br><span class="muted ip">IP ${e.ip}</span>` : ''}</td>
<td data-label="Action"><code>${e.action}</code>${e.outcome === 'success' ? '' : h` <span class="tag">${e.outcome}</span>`}</td>
<td data-label="Actor">${person(e.actorId, e.actorType, 'actorId')}${e.actorType === 'admin' ? h` <span class="muted">(operator)</span>` : ''}</td>
<td data-label="User">${person(e.userId, 'user', 'userId')}</td>
<td data-label="Details">${Object.entries(e.metadata).map(([key, value]) => h`<span class="kv"><span class="muted">${key}</span> ${typeof value === 'string' ? value : JSON.stringify(value)}</span>`)}</td>
</tr>`)}</tbody></table>`}
${next || cursor ? h`<nav class="pager" aria-label="Pages">${cursor ? h`<a href="${here}${kept.size ? `?${kept}` : ''}">Newest</a>` : ''}${next ? h`<a class="button secondary" href="${next}" rel="next">Next (older)</a>` : ''}</nav>` : ''}
</div>`,
      })
    },
  })
}
