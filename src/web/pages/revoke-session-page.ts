import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'

/** Signs out one of the user's devices (scoped to the user by the domain). */
export const revokeSessionPage = definePage({
  path: '/settings/sessions/revoke',
  auth: true,
  async post(c, deps, form, current) {
    const result = await deps.sigra.sessions.revoke(current.user.id, form.get('session_id'))
    if (result.ok) return seeOther(c, `${pagePath(deps.config, 'settings', { notice: 'session_revoked' })}#sessions`)
    return settingsView(c, deps, current, { section: 'sessions', failure: result, status: statusFor(result.error) })
  },
})
