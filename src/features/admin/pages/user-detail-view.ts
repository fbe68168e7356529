import type { HttpContext } from '../../../http/http-env.ts'
import { forRequest } from '../../../http/request-meta.ts'
import type { Current } from '../../../web/current.ts'
import { errorSummary } from '../../../web/form-controls.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import type { WebDeps } from '../../../web/web-deps.ts'
import type { AdminApi } from '../api.ts'
import { displayCustomField } from '../custom-fields.ts'
import type { AdminSettings } from '../options.ts'
import { adminFlash, adminNav } from './admin-nav.ts'
import { refusalPage } from './refusal-page.ts'
import { failureSummary } from './admin-messages.ts'
import { customFieldsCard } from './custom-fields-card.ts'
import { deleteCard, impersonateCard } from './danger-cards.ts'
import type { DetailState } from './detail-state.ts'
import { confirmationCard, passwordCard, profileCard, roleCard, statusCard, summaryCard } from './user-account-cards.ts'
import { auditCard, sessionsCard, type Who } from './user-activity-cards.ts'
import { notesCard } from './user-notes-card.ts'

/**
 * One user for an operator (`users:read`): the account, then the forms of what the operator may
 * change. When the domain refuses to show the user's sessions (the rank rule: the account ranks
 * equal to or above the operator's) or the account is the operator's own, the page is read-only.
 * `state`: a failed post, shown in its form (or above everything on a read-only page).
 */
export async function userDetailView(c: HttpContext, deps: WebDeps, api: AdminApi, settings: AdminSettings, current: Current, id: string, state: DetailState | null = null, status = 200): Promise<Response> {
  const admin = forRequest(api, deps)
  const found = await admin.getUser(current.user, { id })
  if (!found.ok) return refusalPage(c, deps, found.error)
  const user = found.user
  const sessions = await admin.listSessions(current.user, user)
  const notes = await admin.listNotes(current.user, user)
  const audit = await admin.listAudit(current.user, { userId: user.id, limit: 20 })
  const mine = user.id === current.user.id
  const canAct = sessions.ok && !mine

  // Who wrote the notes and did the recent things: addresses for the ids the page shows.
  const ids = new Set([...(notes.ok ? notes.notes.map((n) => n.authorId) : []), ...(audit.ok ? audit.events.map((e) => e.actorId) : [])])
  const emails = new Map<string, string>()
  for (const other of ids) {
    if (!other || other === user.id || other === current.user.id) continue
    const author = await admin.getUser(current.user, { id: other })
    emails.set(other, author.ok ? author.user.email : 'a deleted account')
  }
  const who: Who = (actorId, type) => {
    if (!actorId) return type === 'system' ? 'the system' : 'nobody signed in'
    if (actorId === current.user.id) return 'you'
    if (actorId === user.id) return 'the user'
    return emails.get(actorId) ?? actorId
  }

  const defs = Object.entries(settings.customFields)
  // The forms this page shows: a refusal from any other (a note deleted meanwhile) is said at the top.
  const forms = canAct
    ? ['profile', 'role', 'status', 'email', 'password', 'password-actions', 'sessions', 'notes', 'delete', ...(user.status === 'active' ? ['impersonate'] : []),
      ...defs.map(([key]) => `field:${key}`), ...(notes.ok ? notes.notes.map((n) => `note:${n.id}`) : [])]
    : []
  return renderPage(c, deps, {
    title: user.email,
    status,
    content: h`<div class="wide">
${adminFlash(c)}
<h1>${user.email}</h1>
${adminNav(deps.config, 'user', { audit: audit.ok })}
${state && !forms.includes(state.section) ? errorSummary(failureSummary(state.failure, [])) : ''}
${mine ? h`<p class="flash warn">This is your own account: operators do not change their own account here. Use <a href="${pagePath(deps.config, 'settings')}">your settings</a>.</p>` : ''}
${!mine && !canAct ? h`<p class="flash warn">You can view this account but not change it: it ranks equal to or above yours.</p>` : ''}
${summaryCard(settings, user)}
${canAct
  ? h`${profileCard(deps, user, state)}${roleCard(deps, settings, user, state)}${statusCard(deps, user, state)}${confirmationCard(deps, user, state)}${passwordCard(deps, user, state)}`
  : ''}
${sessions.ok ? sessionsCard(deps, user, sessions.sessions, state) : ''}
${canAct
  ? customFieldsCard(deps, settings, user, state)
  : defs.length
    ? h`<section class="card" aria-label="Custom fields"><dl class="facts">${defs.map(([key, def]) => h`<dt>${def.label}</dt><dd>${displayCustomField(def, user.customFields[key]) || h`<span class="muted">not set</span>`}</dd>`)}</dl></section>`
    : ''}
${notesCard(deps, user, notes.ok ? notes.notes : [], who, canAct, state)}
${auditCard(deps, user, audit.ok ? audit.events : null, who)}
${canAct ? h`${impersonateCard(deps, settings, user, state)}${deleteCard(deps, user, state)}` : ''}
</div>`,
  })
}
