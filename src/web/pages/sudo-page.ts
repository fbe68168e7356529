import { readSessionToken } from '../../http/cookies.ts'
import { statusFor } from '../../http/error-status.ts'
import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { errorSummary, hidden, input } from '../form-controls.ts'
import { formErrors, type FormFailure } from '../form-errors.ts'
import { h } from '../html.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { renderPage } from '../render-page.ts'
import { safeReturnTo } from '../../http/middleware/safe-return-to.ts'
import { seeOther } from '../see-other.ts'
import { withNotice } from '../with-notice.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'

function view(c: HttpContext, deps: HttpDeps, returnTo: string, failure: FormFailure | null, status = 200): Response {
  const { config } = deps
  // Here the login is known: a wrong password is just that.
  const shown = failure?.error === 'invalid_credentials' ? { ...failure, error: 'wrong_password' } : failure
  const errors = formErrors(shown, config, ['password'], { wrong_password: 'password' })
  const minutes = Math.max(1, Math.round(config.sessions.sudoTtl / 60))
  return renderPage(c, deps, {
    title: 'Confirm it is you',
    status,
    content: h`<h1>Confirm it is you</h1>
${errorSummary(errors.summary)}
<form class="card" method="post" action="${pagePath(config, 'sudo')}" novalidate>
${hidden('return_to', returnTo)}
<p>This action changes something sensitive, so please enter your password again. You will not be asked again for ${minutes} minute${minutes === 1 ? '' : 's'}.</p>
${input({ id: 'password', name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', issues: errors.field('password'), autofocus: true })}
<div class="actions"><button type="submit">Confirm</button><a href="${returnTo}">Cancel</a></div>
</form>`,
  })
}

/** Re-authentication ("sudo mode"): password again, the session is renewed, then back to a local `return_to`. */
export const sudoPage = definePage({
  path: '/sudo',
  auth: true,
  get: (c, deps) => view(c, deps, safeReturnTo(c.req.query('return_to'), pagePath(deps.config, 'settings')), null),
  async post(c, deps, form) {
    const returnTo = safeReturnTo(form.get('return_to'), pagePath(deps.config, 'settings'))
    const token = readSessionToken(deps.cookies, c.req.header('cookie') ?? null) ?? ''
    const result = await deps.sigra.sessions.confirmSudo(token, { password: form.get('password') })
    if (!result.ok) return view(c, deps, returnTo, result, statusFor(result.error))
    await renewSessionCookie(c, deps)
    return seeOther(c, withNotice(returnTo, 'sudo_confirmed'))
  },
})
