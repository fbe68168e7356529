import type { HttpDeps } from '../../../http/http-env.ts'
import { errorSummary, hidden } from '../../../web/form-controls.ts'
import { h, type Html } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { AdminSettings } from '../options.ts'
import type { AdminUser } from '../users.ts'
import { textArea } from './admin-controls.ts'
import { failureSummary, issuesFor } from './admin-messages.ts'
import { failureIn, valueIn, type DetailState } from './detail-state.ts'
import { card } from './card.ts'

/** “Act as this user”: a reason (recorded), then the password prompt when the operator's sudo is stale. */
export function impersonateCard(deps: HttpDeps, settings: AdminSettings, user: AdminUser, state: DetailState | null): Html {
  const failure = failureIn(state, 'impersonate')
  const minutes = Math.round(settings.impersonationTtl / 60)
  if (user.status !== 'active') return card('impersonate', 'Act as this user', h`<p class="muted">Only an active account can be used this way.</p>`)
  return card('impersonate', 'Act as this user', h`<p>See the app as ${user.email} does, to help with a problem. It ends after ${minutes} minute${minutes === 1 ? '' : 's'} or when you stop; sensitive changes are refused meanwhile, and everything is recorded with your name.</p>
${errorSummary(failureSummary(failure, ['reason']))}
<form method="post" action="${pagePath(deps.config, 'admin/users/impersonate')}" novalidate>
${hidden('user_id', user.id)}
${textArea({ id: 'impersonate-reason', name: 'reason', label: 'Reason', hint: 'Why, for the record: a ticket number, what you are checking.', value: valueIn(state, 'impersonate', 'reason', ''), rows: 2, maxlength: 500, required: true, issues: issuesFor(failure, 'reason', deps.config) })}
<div class="actions"><button type="submit">Act as this user</button></div>
</form>`)
}

/** Deletes the account now (no grace period), after the operator's password. */
export function deleteCard(deps: HttpDeps, user: AdminUser, state: DetailState | null): Html {
  return card('delete', 'Delete account', h`<p>Deletes ${user.email} now, with the app's deletion strategy and no grace period. The user is signed out everywhere. This cannot be undone.</p>
${errorSummary(failureSummary(failureIn(state, 'delete'), []))}
<form method="post" action="${pagePath(deps.config, 'admin/users/delete')}" data-confirm="Delete ${user.email} now? This cannot be undone.">
${hidden('user_id', user.id)}
<div class="actions"><button type="submit" class="danger">Delete this account</button></div>
</form>`)
}
