import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'

/** "Send the link again", for a logged-in user whose address is not confirmed yet. */
export const resendConfirmationPage = definePage({
  path: '/confirm/resend',
  auth: true,
  async post(c, deps, _form, current) {
    const result = await deps.sigra.auth.sendConfirmation(current.user)
    if (result.ok) return seeOther(c, pagePath(deps.config, 'settings', { notice: 'confirmation_sent' }))
    if (result.error === 'already_confirmed') return seeOther(c, pagePath(deps.config, 'settings', { notice: 'email_confirmed' }))
    return settingsView(c, deps, current, { section: 'account', failure: result, status: statusFor(result.error) })
  },
})
