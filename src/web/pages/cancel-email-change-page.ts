import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'

/** Drops the pending email change (the link mailed to the new address stops working). */
export const cancelEmailChangePage = definePage({
  path: '/settings/email/cancel',
  auth: true,
  async post(c, deps, _form, current) {
    const result = await deps.sigra.account.cancelEmailChange(current.user)
    if (result.ok) return seeOther(c, pagePath(deps.config, 'settings', { notice: 'email_change_cancelled' }))
    return settingsView(c, deps, current, { section: 'account', failure: result, status: statusFor(result.error) })
  },
})
