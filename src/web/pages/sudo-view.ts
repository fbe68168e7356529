import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { errorSummary, hidden, input } from '../form-controls.ts'
import { formErrors, type FormFailure } from '../form-errors.ts'
import { h } from '../html.ts'
import { pagePath } from '../page-path.ts'
import { renderPage } from '../render-page.ts'
import { CARRIED, RESUME } from './carried-fields.ts'

/** The action a prompt resumes: its page path, what it does, and the fields it carries. */
export interface SudoResume {
  path: string
  label: string
  carried: ReadonlyMap<string, string>
}

/**
 * The password prompt (“sudo mode”). For an action (`resume`) it says which one (“Confirm it is
 * you to change your email address”) and carries the action's page path and declared fields in
 * hidden inputs, so they travel in the POST body, never in a URL; otherwise (opened from a link)
 * it goes back to the local `returnTo` afterwards.
 */
export function sudoView(c: HttpContext, deps: HttpDeps, o: { returnTo: string; resume: SudoResume | null; failure: FormFailure | null; status?: number }): Response {
  const { config } = deps
  // Here the login is known: a wrong password is just that.
  const shown = o.failure?.error === 'invalid_credentials' ? { ...o.failure, error: 'wrong_password' } : o.failure
  const errors = formErrors(shown, config, ['password'], { wrong_password: 'password' })
  const minutes = Math.max(1, Math.round(config.sessions.sudoTtl / 60))
  const title = o.resume ? `Confirm it is you to ${o.resume.label}` : 'Confirm it is you'
  return renderPage(c, deps, {
    title,
    status: o.status ?? 200,
    content: h`<h1>${title}</h1>
${errorSummary(errors.summary)}
<form class="card" method="post" action="${pagePath(config, 'sudo')}" novalidate>
<p>${o.resume ? 'This changes something sensitive, so please enter your password again; then it is done.' : 'This action changes something sensitive, so please enter your password again.'} You will not be asked again for ${minutes} minute${minutes === 1 ? '' : 's'}.</p>
${o.resume ? [hidden(RESUME, o.resume.path), ...[...o.resume.carried].map(([name, value]) => hidden(`${CARRIED}${name}`, value))] : hidden('return_to', o.returnTo)}
${input({ id: 'password', name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', issues: errors.field('password'), autofocus: true })}
<div class="actions"><button type="submit">Confirm</button><a href="${o.resume ? pagePath(config, 'settings') : o.returnTo}">Cancel</a></div>
</form>`,
  })
}
