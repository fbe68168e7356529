import { forRequest } from '../../../http/request-meta.ts'
import { definePage, type Page } from '../../../web/page.ts'
import { pagePath } from '../../../web/page-path.ts'
import { sudoPrompt } from '../../../web/pages/sudo-prompt.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { AdminApi } from '../api.ts'
import type { AdminSettings } from '../options.ts'
import { userDetailView } from './user-detail-view.ts'

/** Deletes an account now (sudo, resumed after the password prompt with the user's id), then the list. */
export function deleteUserPage(api: AdminApi, settings: AdminSettings): Page {
  const page: Page = definePage({
    path: '/admin/users/delete',
    auth: true,
    sudo: { label: "delete this user's account", fields: ['user_id'] },
    async post(c, deps, form, current) {
      const id = form.get('user_id')
      const result = await forRequest(api, deps).deleteUser(current.user, { id }, { session: current.session })
      if (result.ok) return seeOther(c, pagePath(deps.config, 'admin/users', { notice: 'admin_user_deleted' }))
      if (result.error === 'sudo_required') return sudoPrompt(c, deps, page, form)
      return userDetailView(c, deps, api, settings, current, id, { section: 'delete', failure: result }, deps.statusFor(result.error))
    },
  })
  return page
}
