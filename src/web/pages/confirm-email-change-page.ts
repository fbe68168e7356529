import { statusFor } from '../../http/error-status.ts'
import { h } from '../html.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { tokenFormView } from './token-form-view.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'

const intro = h`<p>Make this address the new email of your account. Every other device will be signed out.</p>`

/** The link mailed to the new address: GET shows a button; the POST switches, keeping this browser's session. */
export const confirmEmailChangePage = definePage({
  path: '/confirm-email-change',
  get: (c, deps) =>
    tokenFormView(c, deps, { title: 'Confirm your new email', intro, action: pagePath(deps.config, 'confirm-email-change'), button: 'Use this address', token: c.req.query('token') ?? '' }),
  async post(c, deps, form, current) {
    const token = form.get('token')
    const result = await deps.sigra.account.confirmEmailChange(token, { session: current?.session ?? null })
    if (!result.ok) {
      return tokenFormView(c, deps, { title: 'Confirm your new email', intro, action: pagePath(deps.config, 'confirm-email-change'), button: 'Use this address', token, error: result.error, status: statusFor(result.error) })
    }
    const signedIn = current?.user.id === result.user.id
    if (signedIn) await renewSessionCookie(c, deps)
    return seeOther(c, pagePath(deps.config, signedIn ? 'settings' : 'log-in', { notice: 'email_changed' }))
  },
})
