import type { HttpDeps } from '../../http/http-env.ts'
import type { User } from '../../users/user.ts'
import { errorMessage } from '../error-messages.ts'
import { buttonForm, errorSummary } from '../form-controls.ts'
import { formatDate } from '../format-date.ts'
import { h, type Html } from '../html.ts'
import { pagePath } from '../page-path.ts'
import { failureFor, type SettingsState } from './settings-state.ts'

/** Who you are: address (confirmed or not), a pending change with its cancel button, username. */
export function accountSection(deps: HttpDeps, user: User, state: SettingsState | null): Html {
  const { config } = deps
  const failure = failureFor(state, 'account')
  return h`<section class="card" aria-labelledby="account-title">
<h2 id="account-title">Your account</h2>
${errorSummary(failure ? errorMessage(failure.error, failure.retryAfter) : null)}
<dl class="facts">
<dt>Email</dt><dd>${user.email} ${user.confirmedAt ? h`<span class="muted">(confirmed)</span>` : h`<span class="muted">(not confirmed yet)</span>`}</dd>
${user.username ? h`<dt>Username</dt><dd>${user.username}</dd>` : ''}
<dt>Member since</dt><dd>${formatDate(user.createdAt)}</dd>
</dl>
${user.pendingEmail
  ? h`<div class="flash warn"><p>Waiting for confirmation of your new address <strong>${user.pendingEmail}</strong>: open the link we sent there. Until then, your address stays ${user.email}.</p>
${buttonForm({ action: pagePath(config, 'settings/email/cancel'), label: 'Cancel the email change', variant: 'secondary' })}</div>`
  : ''}
</section>`
}
