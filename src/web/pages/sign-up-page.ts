import { statusFor } from '../../http/error-status.ts'
import { requestMeta } from '../../http/request-meta.ts'
import { errorSummary, input } from '../form-controls.ts'
import { formErrors, type FormFailure } from '../form-errors.ts'
import { h } from '../html.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { renderPage } from '../render-page.ts'
import { seeOther } from '../see-other.ts'
import type { HttpContext } from '../../http/http-env.ts'
import type { WebDeps } from '../web-deps.ts'

const FIELDS = ['email', 'password', 'username']

function view(c: HttpContext, deps: WebDeps, values: { email: string; username: string }, failure: FormFailure | null, status = 200): Response {
  const errors = formErrors(failure, deps.config, FIELDS, { email_taken: 'email' })
  const { config } = deps
  // Other ways to sign up the enabled features offer (a provider's button), under the form.
  const options = (deps.signInOptions ?? []).filter((o) => o.renderSignUp)
  return renderPage(c, deps, {
    title: 'Sign up',
    status,
    scripts: options.flatMap((o) => o.scripts ?? []),
    content: h`<h1>Create your account</h1>
${errorSummary(errors.summary)}
<form class="card" method="post" action="${pagePath(config, 'sign-up')}" novalidate>
${input({ id: 'email', name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', value: values.email, issues: errors.field('email'), autofocus: true })}
${input({ id: 'username', name: 'username', label: 'Username (optional)', type: 'text', autocomplete: 'username', value: values.username, required: false, hint: '3–30 letters, digits, “_”, “.” or “-”. You can log in with it too.', issues: errors.field('username') })}
${input({ id: 'password', name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: `At least ${config.password.minLength} characters. A few unrelated words make a strong one.`, issues: errors.field('password') })}
<div class="actions"><button type="submit">Create account</button></div>
</form>
${options.map((o) => o.renderSignUp!(deps))}
<p>Already have an account? <a href="${pagePath(config, 'log-in')}">Log in</a>.</p>`,
  })
}

/**
 * Sign up. A taken address gets the same answer as a new one (unless `http.hideEmailTaken` is
 * off): both redirect to the login page with "check your email" and the address filled in, and
 * neither signs in. A signed-in visitor is sent to the settings.
 */
export const signUpPage = definePage({
  path: '/sign-up',
  get: (c, deps, current) => (current ? seeOther(c, pagePath(deps.config, 'settings')) : view(c, deps, { email: '', username: '' }, null)),
  async post(c, deps, form) {
    const email = form.get('email')
    const username = form.get('username').trim()
    const result = await deps.sigra.auth.register({ email, password: form.get('password'), ...(username ? { username } : {}), ...requestMeta(deps, c) })
    const hidden = !result.ok && result.error === 'email_taken' && deps.config.http.hideEmailTaken
    if (result.ok || hidden) return seeOther(c, pagePath(deps.config, 'log-in', { notice: 'check_email', login: email.trim() }))
    return view(c, deps, { email, username }, result, statusFor(result.error))
  },
})
