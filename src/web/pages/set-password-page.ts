import { statusFor } from '../../http/error-status.ts'
import { definePage, type Page } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'
import { sudoPrompt } from './sudo-prompt.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'

/** Adds a password to an account that has none (sudo, resumed after the prompt: the new password is the one field it carries). */
export const setPasswordPage: Page = definePage({
  path: '/settings/password/set',
  auth: true,
  step: 'password_change',
  sudo: { label: 'set a password', fields: ['password'] },
  async post(c, deps, form, current) {
    const result = await deps.sigra.account.setPassword(current.user, { password: form.get('password') }, { session: current.session })
    if (result.ok) {
      await renewSessionCookie(c, deps)
      return seeOther(c, pagePath(deps.config, 'settings', { notice: 'password_set' }))
    }
    if (result.error === 'sudo_required') return sudoPrompt(c, deps, setPasswordPage, form)
    return settingsView(c, deps, current, { section: 'password', failure: result, status: statusFor(result.error) })
  },
})
