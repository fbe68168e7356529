import type { HttpContext } from '../../http/http-env.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'
import type { FormFailure } from '../form-errors.ts'
import { h, type Html } from '../html.ts'
import { definePage, type Current } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import type { WebDeps } from '../web-deps.ts'
import { tokenFormView } from './token-form-view.ts'

const intro = h`<p>Make this address the new email of your account. Every other device will be signed out.</p>`

/** What a dead email-change link leads to: asking for the change again, from the settings (after logging in). */
function next(deps: WebDeps, current: Current | null): Html {
  const { config } = deps
  const settings = `${pagePath(config, 'settings')}#email`
  return h`<p>To change your email address, ask again from your settings: we send a new link to the new address.</p>
<div class="actions">${current
  ? h`<a class="button" href="${settings}">Change your email again</a>`
  : h`<a class="button" href="${pagePath(config, 'log-in', { return_to: settings })}">Log in</a>`}</div>`
}

function view(c: HttpContext, deps: WebDeps, current: Current | null, token: string, failure: FormFailure | null, status?: number): Response {
  return tokenFormView(c, deps, {
    title: 'Confirm your new email',
    intro,
    action: pagePath(deps.config, 'confirm-email-change'),
    button: 'Use this address',
    token,
    next: next(deps, current),
    failure,
    ...(status ? { status } : {}),
  })
}

/** The link mailed to the new address: GET checks it (consuming nothing) and shows a button; the POST switches, keeping this browser's session. */
export const confirmEmailChangePage = definePage({
  path: '/confirm-email-change',
  async get(c, deps, current) {
    const token = c.req.query('token') ?? ''
    const check = token ? await deps.sigra.auth.checkToken(token, 'change_email') : null
    return view(c, deps, current, token, check && !check.ok ? check : null, check && !check.ok ? deps.statusFor(check.error) : undefined)
  },
  async post(c, deps, form, current) {
    const token = form.get('token')
    const result = await deps.sigra.account.confirmEmailChange(token, { session: current?.session ?? null })
    if (!result.ok) return view(c, deps, current, token, result, deps.statusFor(result.error))
    const signedIn = current?.user.id === result.user.id
    if (signedIn) await renewSessionCookie(c, deps)
    return seeOther(c, pagePath(deps.config, signedIn ? 'settings' : 'log-in', { notice: 'email_changed' }))
  },
})
