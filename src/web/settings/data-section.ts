import type { HttpDeps } from '../../http/http-env.ts'
import { errorMessage } from '../error-messages.ts'
import { errorSummary } from '../form-controls.ts'
import { h, type Html } from '../html.ts'
import { pagePath } from '../page-path.ts'
import { failureFor, type SettingsState } from './settings-state.ts'

/** Download a copy of your data. */
export function dataSection(deps: HttpDeps, state: SettingsState | null): Html {
  const { config } = deps
  const failure = failureFor(state, 'data')
  return h`<section class="card" id="data" aria-labelledby="data-title">
<h2 id="data-title">Your data</h2>
${errorSummary(failure ? errorMessage(failure.error, failure.retryAfter) : null)}
<p>Download what we hold about you (profile, devices, emails sent, account history) as a JSON file.</p>
<form method="post" action="${pagePath(config, 'export')}"><button type="submit" class="secondary">Download my data</button></form>
</section>`
}
