import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'

/** "Keep my account": cancels a scheduled deletion during the grace period (the banner's button). */
export const cancelDeletionPage = definePage({
  path: '/reactivate',
  auth: true,
  async post(c, deps, _form, current) {
    const result = await deps.sigra.account.cancelDeletion(current.user)
    if (result.ok) return seeOther(c, pagePath(deps.config, 'settings', { notice: 'deletion_cancelled' }))
    return settingsView(c, deps, current, { section: 'account', failure: result, status: statusFor(result.error) })
  },
})
