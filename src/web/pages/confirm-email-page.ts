import { buttonForm } from '../form-controls.ts'
import type { FormFailure } from '../form-errors.ts'
import type { HttpContext } from '../../http/http-env.ts'
import { h, type Html } from '../html.ts'
import { definePage, type Current } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import type { WebDeps } from '../web-deps.ts'
import { tokenFormView } from './token-form-view.ts'

const intro = h`<p>Confirm that this address is yours to finish setting up your account.</p>`

/** What a dead confirmation link leads to: a new link (signed in), nothing (already confirmed), or logging in first. */
function next(deps: WebDeps, current: Current | null): Html {
  const { config } = deps
  if (current?.user.confirmedAt) {
    return h`<p>Your email address is already confirmed.</p><div class="actions"><a class="button" href="${pagePath(config, 'settings')}">Go to your settings</a></div>`
  }
  if (current) {
    return h`<p>We can send a new link to ${current.user.email}. Earlier links stop working.</p>
<div class="actions">${buttonForm({ action: pagePath(config, 'confirm/resend'), label: 'Send a new link' })}</div>`
  }
  return h`<p>Log in to ask for a new link: your settings offer to send it again.</p><div class="actions"><a class="button" href="${pagePath(config, 'log-in')}">Log in</a></div>`
}

function view(c: HttpContext, deps: WebDeps, current: Current | null, token: string, failure: FormFailure | null, status?: number): Response {
  return tokenFormView(c, deps, {
    title: 'Confirm your email',
    intro,
    action: pagePath(deps.config, 'confirm'),
    button: 'Confirm my email',
    token,
    next: next(deps, current),
    failure,
    ...(status ? { status } : {}),
  })
}

/** The confirmation link: GET checks the token (consuming nothing) and shows a button; only the POST confirms. */
export const confirmEmailPage = definePage({
  path: '/confirm',
  async get(c, deps, current) {
    const token = c.req.query('token') ?? ''
    const check = token ? await deps.sigra.auth.checkToken(token, 'confirm') : null
    return view(c, deps, current, token, check && !check.ok ? check : null, check && !check.ok ? deps.statusFor(check.error) : undefined)
  },
  async post(c, deps, form, current) {
    const token = form.get('token')
    const result = await deps.sigra.auth.confirmEmail(token, { session: current?.session ?? null })
    if (!result.ok) return view(c, deps, current, token, result, deps.statusFor(result.error))
    return seeOther(c, pagePath(deps.config, current ? 'settings' : 'log-in', { notice: 'email_confirmed' }))
  },
})
