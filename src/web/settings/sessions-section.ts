import type { HttpDeps } from '../../http/http-env.ts'
import type { Session } from '../../sessions/session.ts'
import { errorMessage } from '../error-messages.ts'
import { buttonForm, errorSummary } from '../form-controls.ts'
import { formatDate } from '../format-date.ts'
import { h, type Html } from '../html.ts'
import { pagePath } from '../page-path.ts'
import { failureFor, type SettingsState } from './settings-state.ts'

/**
 * Every signed-in device: this device first, then the others as listed (most recently active
 * first), each with label, IP and last activity, a revoke button each, and "sign out everywhere else".
 */
export function sessionsSection(deps: HttpDeps, listed: readonly Session[], currentId: string, state: SettingsState | null): Html {
  const { config } = deps
  const failure = failureFor(state, 'sessions')
  const sessions = [...listed.filter((s) => s.id === currentId), ...listed.filter((s) => s.id !== currentId)]
  const others = sessions.length - (sessions[0]?.id === currentId ? 1 : 0)
  return h`<section class="card" id="sessions" aria-labelledby="sessions-title">
<h2 id="sessions-title">Signed-in devices</h2>
${errorSummary(failure ? errorMessage(failure.error, failure.retryAfter) : null)}
<ul class="sessions">${sessions.map((s) => h`<li>
<div><strong>${s.deviceLabel ?? 'Unknown device'}</strong>${s.id === currentId ? h`<span class="tag">This device</span>` : ''}<br>
<span class="muted">${s.ip ? h`IP ${s.ip} · ` : ''}last active ${formatDate(s.lastActiveAt)}${s.rememberMe ? ' · remembered' : ''}</span></div>
${s.id === currentId ? '' : buttonForm({ action: pagePath(config, 'settings/sessions/revoke'), label: 'Sign out', ariaLabel: `Sign out ${s.deviceLabel ?? 'unknown device'}, last active ${s.lastActiveAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`, fields: { session_id: s.id }, variant: 'secondary' })}
</li>`)}</ul>
${others > 0
  ? h`<div class="actions">${buttonForm({ action: pagePath(config, 'settings/sessions/revoke-others'), label: 'Sign out everywhere else', variant: 'secondary', confirm: 'Sign out every other device?' })}</div>`
  : ''}
</section>`
}
