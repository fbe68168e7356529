import { statusFor } from '../../http/error-status.ts'
import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { requestMeta } from '../../http/request-meta.ts'
import { errorSummary, input } from '../form-controls.ts'
import { formErrors, type FormFailure } from '../form-errors.ts'
import { h } from '../html.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { renderPage } from '../render-page.ts'
import { seeOther } from '../see-other.ts'

function view(c: HttpContext, deps: HttpDeps, email: string, failure: FormFailure | null, status = 200): Response {
  const { config } = deps
  const errors = formErrors(failure, config, ['email'])
  return renderPage(c, deps, {
    title: 'Forgot your password?',
    status,
    content: h`<h1>Forgot your password?</h1>
${errorSummary(errors.summary)}
<form class="card" method="post" action="${pagePath(config, 'forgot-password')}" novalidate>
<p>Enter the email address of your account. We will send you a link to choose a new password.</p>
${input({ id: 'email', name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', value: email, issues: errors.field('email'), autofocus: true })}
<div class="actions"><button type="submit">Send the link</button><a href="${pagePath(config, 'log-in')}">Back to log in</a></div>
</form>`,
  })
}

/** Requests a reset link; the answer is the same whether or not the address has an account. */
export const forgotPasswordPage = definePage({
  path: '/forgot-password',
  get: (c, deps) => view(c, deps, '', null),
  async post(c, deps, form) {
    const email = form.get('email')
    const result = await deps.sigra.auth.requestPasswordReset(email, requestMeta(deps, c))
    if (!result.ok) return view(c, deps, email, result, statusFor(result.error))
    return seeOther(c, pagePath(deps.config, 'forgot-password', { notice: 'reset_sent' }))
  },
})
