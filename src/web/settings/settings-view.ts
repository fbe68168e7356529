import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { h } from '../html.ts'
import type { Current } from '../page.ts'
import { renderPage } from '../render-page.ts'
import { accountSection } from './account-section.ts'
import { dataSection } from './data-section.ts'
import { emailSection } from './email-section.ts'
import { passwordSection } from './password-section.ts'
import { sessionsSection } from './sessions-section.ts'
import type { SettingsState } from './settings-state.ts'

/** The settings page, optionally with one section's failed post shown in place (status from the failure). */
export async function settingsView(c: HttpContext, deps: HttpDeps, current: Current, state: SettingsState | null = null): Promise<Response> {
  const { user, session } = current
  const sessions = await deps.sigra.sessions.list(user.id)
  const sudo = deps.sigra.sessions.isSudo(session)
  return renderPage(c, deps, {
    title: 'Settings',
    status: state?.status ?? 200,
    content: h`<h1>Settings</h1>
${sudo ? h`<p class="muted">Your password was confirmed recently: sensitive changes are allowed for a few minutes.</p>` : ''}
${accountSection(deps, user, state)}
${user.mustChangePassword ? passwordSection(deps, user, sudo, state) : ''}
${emailSection(deps, user, sudo, state)}
${user.mustChangePassword ? '' : passwordSection(deps, user, sudo, state)}
${sessionsSection(deps, sessions, session.id, state)}
${dataSection(deps, user, state)}`,
  })
}
