import type { HttpDeps } from '../../../http/http-env.ts'
import { buttonForm, errorSummary } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h, type Html } from '../../../web/html.ts'
import type { AdminSettings } from '../options.ts'
import type { AdminUser } from '../users.ts'
import { checkbox, field, select } from './admin-controls.ts'
import { failureSummary, issuesFor } from './admin-messages.ts'
import { userAction } from './admin-paths.ts'
import { failureIn, valueIn, type DetailState } from './detail-state.ts'
import { card } from './card.ts'
import { displayName, roleLabel, roleOptions, STATUS_LABELS } from './role-options.ts'

const text = (value: unknown) => (typeof value === 'string' ? value : '')

/** The account at a glance. */
export function summaryCard(settings: AdminSettings, user: AdminUser): Html {
  return h`<section class="card" aria-label="Account"><dl class="facts">
<dt>Email</dt><dd>${user.email}${user.pendingEmail ? h` <span class="muted">(changing to ${user.pendingEmail})</span>` : ''}</dd>
<dt>Name</dt><dd>${displayName(user.customFields) || h`<span class="muted">not set</span>`}</dd>
<dt>Username</dt><dd>${user.username ?? h`<span class="muted">none</span>`}</dd>
<dt>Role</dt><dd>${user.roles.map((r) => roleLabel(settings, r)).join(', ')}</dd>
<dt>Status</dt><dd>${STATUS_LABELS[user.status] ?? user.status}</dd>
<dt>Email confirmed</dt><dd>${user.confirmedAt ? formatDate(user.confirmedAt) : 'No'}</dd>
<dt>Password</dt><dd>${user.hasPassword ? 'Set' : 'None'}${user.mustChangePassword ? ' · must be changed at the next sign-in' : ''}</dd>
<dt>Created</dt><dd>${formatDate(user.createdAt)}</dd>
<dt>Last sign-in</dt><dd>${user.lastLoginAt ? formatDate(user.lastLoginAt) : 'Never'}</dd>
${user.deleteAt ? h`<dt>Deletion</dt><dd>Scheduled for ${formatDate(user.deleteAt)}</dd>` : ''}
<dt>Id</dt><dd><code>${user.id}</code></dd>
</dl></section>`
}

/** First and last name, and locale. */
export function profileCard(deps: HttpDeps, user: AdminUser, state: DetailState | null): Html {
  const failure = failureIn(state, 'profile')
  const value = (name: string, stored: unknown) => valueIn(state, 'profile', name, text(stored))
  return card('profile', 'Profile', h`${errorSummary(failureSummary(failure, ['firstName', 'lastName', 'locale']))}
<form method="post" action="${userAction(deps.config, user.id, 'profile')}" novalidate>
<div class="row">
${field({ id: 'first-name', name: 'first_name', label: 'First name', type: 'text', value: value('first_name', user.customFields.first_name), maxlength: 100, issues: issuesFor(failure, 'firstName', deps.config) })}
${field({ id: 'last-name', name: 'last_name', label: 'Last name', type: 'text', value: value('last_name', user.customFields.last_name), maxlength: 100, issues: issuesFor(failure, 'lastName', deps.config) })}
${field({ id: 'locale', name: 'locale', label: 'Locale (like en or pt-BR)', type: 'text', value: value('locale', user.customFields.locale), maxlength: 35, issues: issuesFor(failure, 'locale', deps.config) })}
</div>
<div class="actions"><button type="submit">Save profile</button></div>
</form>`)
}

/** Exactly one role. */
export function roleCard(deps: HttpDeps, settings: AdminSettings, user: AdminUser, state: DetailState | null): Html {
  const failure = failureIn(state, 'role')
  return card('role', 'Role', h`${errorSummary(failureSummary(failure, ['role']))}
<form method="post" action="${userAction(deps.config, user.id, 'role')}" class="inline-form">
${select({ id: 'role-select', name: 'role', label: 'Role', value: valueIn(state, 'role', 'role', user.roles[0] ?? 'user'), options: roleOptions(settings), hint: 'Only an Owner makes someone Owner; the last Owner keeps the role.', issues: issuesFor(failure, 'role', deps.config) })}
<button type="submit">Change role</button>
</form>`)
}

/** Active, suspended or banned. */
export function statusCard(deps: HttpDeps, user: AdminUser, state: DetailState | null): Html {
  const failure = failureIn(state, 'status')
  return card('status', 'Status', h`${errorSummary(failureSummary(failure, ['status']))}
<form method="post" action="${userAction(deps.config, user.id, 'status')}" class="inline-form">
${select({ id: 'status-select', name: 'status', label: 'Status', value: valueIn(state, 'status', 'status', user.status), options: [['active', 'Active'], ['suspended', 'Suspended'], ['banned', 'Banned']], hint: 'Suspending or banning signs the user out everywhere at once.', issues: issuesFor(failure, 'status', deps.config) })}
<button type="submit">Change status</button>
</form>`)
}

/** Marks the address confirmed or not. */
export function confirmationCard(deps: HttpDeps, user: AdminUser, state: DetailState | null): Html {
  return card('email', 'Email address', h`${errorSummary(failureSummary(failureIn(state, 'email'), []))}
<p>${user.confirmedAt ? h`Confirmed on ${formatDate(user.confirmedAt)}.` : 'Not confirmed.'}</p>
<div class="actions">${user.confirmedAt
    ? buttonForm({ action: userAction(deps.config, user.id, 'unconfirm'), label: 'Mark as not confirmed', variant: 'secondary' })
    : buttonForm({ action: userAction(deps.config, user.id, 'confirm'), label: 'Mark as confirmed', variant: 'secondary' })}</div>`)
}

/** Sets a password (every session ends), requires a change, or removes two-factor authentication. */
export function passwordCard(deps: HttpDeps, user: AdminUser, state: DetailState | null): Html {
  const failure = failureIn(state, 'password')
  const mfa = deps.sigra.features.includes('mfa')
  return card('password', 'Password', h`${errorSummary(failureSummary(failure, ['password']))}
<form method="post" action="${userAction(deps.config, user.id, 'password')}" novalidate>
${field({ id: 'new-password', name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: 'The user is signed out everywhere and told by email.', issues: issuesFor(failure, 'password', deps.config) })}
${checkbox({ name: 'must_change', label: 'Require a new password at the next sign-in', checked: valueIn(state, 'password', 'must_change', '') === 'on' })}
<div class="actions"><button type="submit">Set password</button></div>
</form>
<h3>Without a new password</h3>
${errorSummary(failureSummary(failureIn(state, 'password-actions'), []))}
<div class="actions">
${buttonForm({ action: userAction(deps.config, user.id, 'force-password-change'), label: 'Require a password change', variant: 'secondary' })}
${mfa ? buttonForm({ action: userAction(deps.config, user.id, 'mfa-reset'), label: 'Remove two-factor authentication', variant: 'secondary', confirm: 'Remove two-factor authentication from this account? Do this only after checking who is asking.' }) : ''}
</div>`)
}
