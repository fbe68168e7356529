import type { HttpDeps } from '../../http/http-env.ts'
import type { User } from '../../users/user.ts'
import { errorSummary, input } from '../form-controls.ts'
import { formErrors } from '../form-errors.ts'
import { h, type Html } from '../html.ts'
import { pagePath } from '../page-path.ts'
import { failureFor, type SettingsState } from './settings-state.ts'

/** Change email: confirm-then-switch; the new address gets the link. Needs a recent password confirmation. */
export function emailSection(deps: HttpDeps, user: User, sudo: boolean, state: SettingsState | null): Html {
  const { config } = deps
  const errors = formErrors(failureFor(state, 'email'), config, ['email'], { same_email: 'email', email_taken: 'email' })
  return h`<section class="card" id="email" aria-labelledby="email-title">
<h2 id="email-title">Change email</h2>
${errorSummary(errors.summary)}
${user.deleteAt ? h`<p>Your account is scheduled for deletion: keep it (above) to change your email.</p>` : h`<form method="post" action="${pagePath(config, 'settings/email')}" novalidate>
${input({ id: 'new-email', name: 'email', label: 'New email address', type: 'email', autocomplete: 'email', value: state?.section === 'email' ? (state.values?.email ?? '') : '', issues: errors.field('email'),
  hint: `We will send a link to the new address; ${user.email} stays until you open it.${sudo ? '' : ' You will be asked for your password first.'}` })}
<div class="actions"><button type="submit">Send confirmation link</button></div>
</form>`}
</section>`
}
