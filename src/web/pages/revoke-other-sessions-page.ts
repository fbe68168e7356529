import { definePage, type Page } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { seeOther } from '../see-other.ts'
import { settingsView } from '../settings/settings-view.ts'
import { sudoPrompt } from './sudo-prompt.ts'

/** "Sign out everywhere else" (sudo, resumed after the prompt): every session but this one ends. */
export const revokeOtherSessionsPage: Page = definePage({
  path: '/settings/sessions/revoke-others',
  auth: true,
  sudo: { label: 'sign out your other devices' },
  async post(c, deps, form, current) {
    const result = await deps.sigra.account.revokeOtherSessions(current.user, { session: current.session })
    if (result.ok) return seeOther(c, `${pagePath(deps.config, 'settings', { notice: 'other_sessions_revoked' })}#sessions`)
    if (result.error === 'sudo_required') return sudoPrompt(c, deps, revokeOtherSessionsPage, form)
    return settingsView(c, deps, current, { section: 'sessions', failure: result, status: deps.statusFor(result.error) })
  },
})
