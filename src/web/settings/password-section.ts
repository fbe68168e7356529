import type { HttpDeps } from '../../http/http-env.ts'
import type { User } from '../../users/user.ts'
import { errorSummary, input } from '../form-controls.ts'
import { formErrors } from '../form-errors.ts'
import { h, type Html } from '../html.ts'
import { pagePath } from '../page-path.ts'
import { failureFor, type SettingsState } from './settings-state.ts'

/** Change password (current + new), or "set a password" for an account without one (needs sudo). */
export function passwordSection(deps: HttpDeps, user: User, sudo: boolean, state: SettingsState | null): Html {
  const { config } = deps
  const errors = formErrors(failureFor(state, 'password'), config, ['current', 'password'], { invalid_current_password: 'current' })
  const hint = `At least ${config.password.minLength} characters. Your other devices will be signed out.`
  return h`<section class="card" id="password" aria-labelledby="password-title">
<h2 id="password-title">${user.hasPassword ? 'Change password' : 'Set a password'}</h2>
${user.mustChangePassword ? h`<div class="flash warn"><p>You must choose a new password before continuing to use your account.</p></div>` : ''}
${errorSummary(errors.summary)}
${user.deleteAt ? h`<p>Your account is scheduled for deletion: keep it (above) to change your password.</p>` : user.hasPassword
  ? h`<form method="post" action="${pagePath(config, 'settings/password')}" novalidate>
${input({ id: 'current-password', name: 'current', label: 'Current password', type: 'password', autocomplete: 'current-password', issues: errors.field('current') })}
${input({ id: 'new-password', name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint, issues: errors.field('password') })}
<div class="actions"><button type="submit">Change password</button></div>
</form>`
  : h`<form method="post" action="${pagePath(config, 'settings/password/set')}" novalidate>
<p>Your account has no password yet. Add one to log in with your email address too.</p>
${input({ id: 'new-password', name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: `${hint}${sudo ? '' : ' You may be asked to confirm it is you first.'}`, issues: errors.field('password') })}
<div class="actions"><button type="submit">Set password</button></div>
</form>`}
</section>`
}
