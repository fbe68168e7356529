import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'
import { sudoRedirect } from './sudo-redirect.ts'

/** Requests an email change (sudo): the new address gets the link, the current one stays until then. */
export const emailChangePage = definePage({
  path: '/settings/email',
  auth: true,
  async post(c, deps, form, current) {
    const email = form.get('email')
    const result = await deps.sigra.account.requestEmailChange(current.user, email, { session: current.session })
    if (result.ok) return seeOther(c, pagePath(deps.config, 'settings', { notice: 'email_change_requested' }))
    if (result.error === 'sudo_required') {
      const typed = typeof email === 'string' && email.length <= 254 ? email : null
      return sudoRedirect(c, deps, `${pagePath(deps.config, 'settings', typed ? { new_email: typed } : {})}#email`)
    }
    return settingsView(c, deps, current, { section: 'email', failure: result, status: statusFor(result.error), values: { email } })
  },
})
