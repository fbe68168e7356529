import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { sudoRedirect } from './sudo-redirect.ts'

/** "Sign out everywhere else" (sudo): every session but this one ends. */
export const revokeOtherSessionsPage = definePage({
  path: '/settings/sessions/revoke-others',
  auth: true,
  async post(c, deps, _form, current) {
    const result = await deps.sigra.account.revokeOtherSessions(current.user, { session: current.session })
    if (result.ok) return seeOther(c, `${pagePath(deps.config, 'settings', { notice: 'other_sessions_revoked' })}#sessions`)
    return sudoRedirect(c, deps, `${pagePath(deps.config, 'settings')}#sessions`)
  },
})
