import type { HttpContext } from '../../http/http-env.ts'
import { h } from '../html.ts'
import type { Current } from '../current.ts'
import { renderPage } from '../render-page.ts'
import type { WebDeps } from '../web-deps.ts'
import type { SettingsState } from './settings-state.ts'

/**
 * The settings page: core's sections, then each feature's, optionally with one section's failed
 * post shown in place (status from the failure). While a password change is required the session
 * may do nothing else, so only the password section is shown.
 */
export async function settingsView(c: HttpContext, deps: WebDeps, current: Current, state: SettingsState | null = null): Promise<Response> {
  const sudo = deps.sigra.sessions.isSudo(current.session)
  const passwordOnly = current.session.pendingSteps.includes('password_change')
  const sections = deps.settings.filter((s) => (passwordOnly ? s.id === 'password' : (s.when?.(current) ?? true)))
  const rendered = []
  for (const section of sections) rendered.push(await section.render(c, deps, current, state))
  return renderPage(c, deps, {
    title: 'Settings',
    status: state?.status ?? 200,
    content: h`<h1>Settings</h1>
${sudo && !passwordOnly ? h`<p class="muted">Your password was confirmed recently: sensitive changes are allowed for a few minutes.</p>` : ''}
${rendered}`,
  })
}
