import { cookieToken, setSessionCookie } from '../../../http/api/session-cookie.ts'
import { forRequest } from '../../../http/request-meta.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { AdminApi } from '../api.ts'
import type { AdminSettings } from '../options.ts'
import { userDetailView } from './user-detail-view.ts'

/**
 * “Act as this user” (sudo, resumed after the prompt with the id and the reason): the cookie becomes
 * the new session of theirs, and the settings page shows the banner with the way back.
 */
export function impersonatePage(api: AdminApi, settings: AdminSettings): Page {
  const page: Page = definePage({
    path: '/admin/users/impersonate',
    auth: true,
    sudo: { label: 'act as this user', fields: ['user_id', 'reason'] },
    async post(c, deps, form, current) {
      const id = form.get('user_id')
      // Resumed after the password prompt, the request's cookie holds the token the prompt renewed away.
      const token = c.get('renewedToken') ?? cookieToken(c, deps)
      const result = await forRequest(api, deps).impersonate(token, { id }, { reason: form.get('reason') })
      if (result.ok) {
        setSessionCookie(c, deps, result.token, result.session)
        return seeOther(c, pagePath(deps.config, 'settings'))
      }
      if (result.error === 'sudo_required') return sudoPrompt(c, deps, page, form)
      const state = { section: 'impersonate', failure: result, values: { reason: form.get('reason') } }
      return userDetailView(c, deps, api, settings, current, id, state, deps.statusFor(result.error))
    },
  })
  return page
}
