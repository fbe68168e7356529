import type { HttpDeps } from '../../http/http-env.ts'
import type { User } from '../../users/user.ts'
import { errorMessage } from '../error-messages.ts'
import { formatDate } from '../format-date.ts'
import { errorSummary } from '../form-controls.ts'
import { h, type Html } from '../html.ts'
import { pagePath } from '../page-path.ts'
import { failureFor, type SettingsState } from './settings-state.ts'

/** Download a copy of your data, and the way to the deletion page. */
export function dataSection(deps: HttpDeps, user: User, state: SettingsState | null): Html {
  const { config } = deps
  const failure = failureFor(state, 'data')
  return h`<section class="card" id="data" aria-labelledby="data-title">
<h2 id="data-title">Your data</h2>
${errorSummary(failure ? errorMessage(failure.error, failure.retryAfter) : null)}
<p>Download what we hold about you (profile, devices, emails sent, account history) as a JSON file.</p>
<form method="post" action="${pagePath(config, 'export')}"><button type="submit" class="secondary">Download my data</button></form>
<h2 class="danger-title">Delete account</h2>
${user.deleteAt
  ? h`<p>Your account is scheduled for deletion on ${formatDate(user.deleteAt)}.</p>`
  : h`<p>Your account is deleted after a ${config.deletion.graceDays}-day grace period, during which you can change your mind.</p>
<p><a href="${pagePath(config, 'delete')}">Delete my account…</a></p>`}
</section>`
}
