import { clearedSessionCookie } from '../../http/cookies.ts'
import { statusFor } from '../../http/error-status.ts'
import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import { errorMessage } from '../error-messages.ts'
import { errorSummary } from '../form-controls.ts'
import type { FormFailure } from '../form-errors.ts'
import { h } from '../html.ts'
import { definePage, type Page, type Current } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { renderPage } from '../render-page.ts'
import { seeOther } from '../see-other.ts'
import { sudoPrompt } from './sudo-prompt.ts'

function view(c: HttpContext, deps: HttpDeps, current: Current, failure: FormFailure | null, status = 200): Response {
  const { config } = deps
  const days = config.deletion.graceDays
  const scheduled = current.user.deleteAt !== null
  return renderPage(c, deps, {
    title: 'Delete your account',
    status,
    content: h`<h1>Delete your account</h1>
${errorSummary(failure ? errorMessage(failure.error, failure.retryAfter) : null)}
${scheduled
  ? h`<p>Your account is already scheduled for deletion. Use “Keep my account” above to cancel.</p>`
  : h`<form class="card" method="post" action="${pagePath(config, 'delete')}" data-confirm="Schedule your account for deletion and log out everywhere?">
<p>What happens:</p>
<ul>
<li>You are logged out on every device right away.</li>
<li>Your account is deleted for good after ${days} day${days === 1 ? '' : 's'}. We email you the date.</li>
<li>Until then you can change your mind: log in and choose “Keep my account”.</li>
</ul>
<p>Want a copy of your data first? <a href="${pagePath(config, 'settings')}#data">Download it from your settings</a>.</p>
<div class="actions"><button type="submit" class="danger">Delete my account</button><a href="${pagePath(config, 'settings')}">Cancel</a></div>
</form>`}`,
  })
}

/** Schedules the deletion (sudo, resumed after the prompt), then logs out and shows the date on the login page. */
export const deleteAccountPage: Page = definePage({
  path: '/delete',
  auth: true,
  sudo: { label: 'delete your account' },
  get: (c, deps, current) => view(c, deps, current, null),
  async post(c, deps, form, current) {
    const result = await deps.sigra.account.scheduleDeletion(current.user, { session: current.session })
    if (!result.ok && result.error === 'sudo_required') return sudoPrompt(c, deps, deleteAccountPage, form)
    if (!result.ok) return view(c, deps, current, result, statusFor(result.error))
    // Every session was revoked with the schedule: this one is gone too.
    c.header('Set-Cookie', clearedSessionCookie(deps.cookies))
    return seeOther(c, pagePath(deps.config, 'log-in', { notice: 'deletion_scheduled', on: result.deleteAt.toISOString().slice(0, 10) }))
  },
})
