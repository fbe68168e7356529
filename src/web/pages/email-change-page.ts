import { statusFor } from '../../http/error-status.ts'
import { definePage, type Page } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'
import { sudoPrompt } from './sudo-prompt.ts'

/** Requests an email change (sudo, resumed after the prompt): the new address gets the link, the current one stays until then. */
export const emailChangePage: Page = definePage({
  path: '/settings/email',
  auth: true,
  sudo: { label: 'change your email address', fields: ['email'] },
  async post(c, deps, form, current) {
    const email = form.get('email')
    const result = await deps.sigra.account.requestEmailChange(current.user, email, { session: current.session })
    if (result.ok) return seeOther(c, pagePath(deps.config, 'settings', { notice: 'email_change_requested' }))
    if (result.error === 'sudo_required') return sudoPrompt(c, deps, emailChangePage, form)
    return settingsView(c, deps, current, { section: 'email', failure: result, status: statusFor(result.error), values: { email } })
  },
})
