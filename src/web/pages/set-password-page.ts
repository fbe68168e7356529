import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'
import { sudoRedirect } from './sudo-redirect.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'

/** Adds a password to an account that has none (sudo). */
export const setPasswordPage = definePage({
  path: '/settings/password/set',
  auth: true,
  step: 'password_change',
  async post(c, deps, form, current) {
    const result = await deps.sigra.account.setPassword(current.user, { password: form.get('password') }, { session: current.session })
    if (result.ok) {
      await renewSessionCookie(c, deps)
      return seeOther(c, pagePath(deps.config, 'settings', { notice: 'password_set' }))
    }
    if (result.error === 'sudo_required') return sudoRedirect(c, deps, `${pagePath(deps.config, 'settings')}#password`)
    return settingsView(c, deps, current, { section: 'password', failure: result, status: statusFor(result.error) })
  },
})
