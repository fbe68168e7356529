import { statusFor } from '../../http/error-status.ts'
import { h } from '../html.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { tokenFormView } from './token-form-view.ts'

const intro = h`<p>Confirm that this address is yours to finish setting up your account.</p>`

/** The confirmation link: GET shows a button, only the POST consumes the token. */
export const confirmEmailPage = definePage({
  path: '/confirm',
  get: (c, deps) =>
    tokenFormView(c, deps, { title: 'Confirm your email', intro, action: pagePath(deps.config, 'confirm'), button: 'Confirm my email', token: c.req.query('token') ?? '' }),
  async post(c, deps, form, current) {
    const token = form.get('token')
    const result = await deps.sigra.auth.confirmEmail(token, { session: current?.session ?? null })
    if (!result.ok) {
      return tokenFormView(c, deps, { title: 'Confirm your email', intro, action: pagePath(deps.config, 'confirm'), button: 'Confirm my email', token, error: result.error, status: statusFor(result.error) })
    }
    return seeOther(c, pagePath(deps.config, current ? 'settings' : 'log-in', { notice: 'email_confirmed' }))
  },
})
