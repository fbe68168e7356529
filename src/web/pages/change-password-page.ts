import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'

/** Changes the password (the current one is the re-authentication); this device stays signed in. */
export const changePasswordPage = definePage({
  path: '/settings/password',
  auth: true,
  step: 'password_change',
  async post(c, deps, form, current) {
    const result = await deps.sigra.account.changePassword(current.user, form.get('current'), { password: form.get('password') }, { session: current.session })
    if (result.ok) {
      await renewSessionCookie(c, deps)
      return seeOther(c, pagePath(deps.config, 'settings', { notice: 'password_changed' }))
    }
    return settingsView(c, deps, current, { section: 'password', failure: result, status: statusFor(result.error) })
  },
})
