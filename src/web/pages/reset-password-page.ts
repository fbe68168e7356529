import { clearedSessionCookie } from '../../http/cookies.ts'
import { statusFor } from '../../http/error-status.ts'
import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { requestMeta } from '../../http/request-meta.ts'
import { errorSummary, hidden, input } from '../form-controls.ts'
import { errorMessage } from '../error-messages.ts'
import { formErrors, type FormFailure } from '../form-errors.ts'
import { h } from '../html.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { renderPage } from '../render-page.ts'
import { seeOther } from '../see-other.ts'

/** The form, or for a dead link (missing, or `invalid_token` when opened or posted) the way to a new one. */
function view(c: HttpContext, deps: HttpDeps, token: string, failure: FormFailure | null, status?: number): Response {
  const { config } = deps
  const dead = token === '' || failure?.error === 'invalid_token'
  const errors = formErrors(dead ? null : failure, config, ['password'])
  return renderPage(c, deps, {
    title: 'Choose a new password',
    status: status ?? (dead ? deps.statusFor('invalid_token') : 200),
    tokenInUrl: true,
    content: h`<h1>Choose a new password</h1>
${errorSummary(dead ? errorMessage('invalid_token') : errors.summary)}
${dead
  ? h`<div class="card"><p>Reset links work once and expire soon. Ask for a new one: we send it to the address of your account.</p>
<div class="actions"><a class="button" href="${pagePath(config, 'forgot-password')}">Ask for a new link</a></div></div>`
  : h`<form class="card" method="post" action="${pagePath(config, 'reset-password')}" novalidate>
${hidden('token', token)}
${input({ id: 'password', name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: `At least ${config.password.minLength} characters.`, issues: errors.field('password'), autofocus: true })}
<p class="muted">Every device signed in to your account will be signed out.</p>
<div class="actions"><button type="submit">Set new password</button></div>
</form>`}`,
  })
}

/**
 * The reset link: GET checks the token (consuming nothing) and shows the form, or the way to a new
 * link; only the POST uses the token, and a refused password keeps the link usable.
 */
export const resetPasswordPage = definePage({
  path: '/reset-password',
  async get(c, deps) {
    const token = c.req.query('token') ?? ''
    const check = token ? await deps.sigra.auth.checkToken(token, 'reset_password') : null
    return check && !check.ok ? view(c, deps, token, check, deps.statusFor(check.error)) : view(c, deps, token, null)
  },
  async post(c, deps, form, current) {
    const token = form.get('token')
    const result = await deps.sigra.auth.resetPassword(token, { password: form.get('password'), ...requestMeta(deps, c) })
    if (!result.ok) return view(c, deps, token, result, statusFor(result.error))
    // Every session of the account was revoked: this browser's too, if it was signed in to it.
    if (current?.user.id === result.user.id) c.header('Set-Cookie', clearedSessionCookie(deps.cookies))
    return seeOther(c, pagePath(deps.config, 'log-in', { notice: 'password_reset' }))
  },
})
