import type { HttpDeps } from '../../../http/http-env.ts'
import type { AuditEvent } from '../../../kernel/audit/audit-query.ts'
import type { Session } from '../../../sessions/session.ts'
import { buttonForm, errorSummary } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h, type Html } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { AdminUser } from '../users.ts'
import { failureSummary } from './admin-messages.ts'
import { userAction } from './admin-paths.ts'
import { card } from './card.ts'
import type { DetailState } from './detail-state.ts'
import { failureIn } from './detail-state.ts'

/** The user's live sessions (read-only) and “Sign out everywhere”. */
export function sessionsCard(deps: HttpDeps, user: AdminUser, sessions: readonly Session[], state: DetailState | null): Html {
  return card('sessions', 'Sessions', h`${errorSummary(failureSummary(failureIn(state, 'sessions'), []))}
${sessions.length === 0
  ? h`<p class="muted">Not signed in anywhere.</p>`
  : h`<ul class="sessions">${sessions.map((s) => h`<li><div><strong>${s.deviceLabel ?? 'Unknown device'}</strong>${s.impersonatorId ? h`<span class="tag">opened by an operator</span>` : ''}${s.pendingSteps.length ? h`<span class="tag">sign-in not complete</span>` : ''}<br>
<span class="muted">${s.ip ? h`IP ${s.ip} · ` : ''}since ${formatDate(s.createdAt)} · last active ${formatDate(s.lastActiveAt)}${s.rememberMe ? ' · remembered' : ''}</span></div></li>`)}</ul>`}
${sessions.length
  ? h`<div class="actions">${buttonForm({ action: userAction(deps.config, user.id, 'revoke-sessions'), label: 'Sign out everywhere', variant: 'secondary', confirm: 'Sign this user out on every device?' })}</div>`
  : ''}`)
}

/** Who an id is, as far as the page knows: “you”, “this user”, an address, or the id itself. */
export type Who = (id: string | null, type?: string) => string

/** The user's recent audit events (`audit:read`), with the way to the explorer. */
export function auditCard(deps: HttpDeps, user: AdminUser, events: readonly AuditEvent[] | null, who: Who): Html {
  const explorer = pagePath(deps.config, 'admin/audit', { userId: user.id })
  return card('activity', 'Recent activity', events === null
    ? h`<p class="muted">Your role does not include reading the audit log.</p>`
    : h`${events.length === 0
      ? h`<p class="muted">Nothing recorded yet.</p>`
      : h`<ol class="events">${events.map((e) => h`<li><code>${e.action}</code>${e.outcome === 'success' ? '' : h` <span class="tag">${e.outcome}</span>`} <span class="muted">· ${formatDate(e.occurredAt)} · by ${who(e.actorId, e.actorType)}${e.ip ? ` · IP ${e.ip}` : ''}</span></li>`)}</ol>`}
<p><a href="${explorer}">All of this user's events in the audit log</a></p>`)
}
