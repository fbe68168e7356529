import type { HttpDeps } from '../../http/http-env.ts'
import type { User } from '../../users/user.ts'
import { formatDate } from '../format-date.ts'
import { h, type Html } from '../html.ts'
import { pagePath } from '../page-path.ts'

/** The way to the deletion page (which explains and asks), or the date when it is already scheduled. */
export function deleteSection(deps: HttpDeps, user: User): Html {
  const { config } = deps
  return h`<section class="card" id="delete" aria-labelledby="delete-title">
<h2 id="delete-title">Delete account</h2>
${user.deleteAt
  ? h`<p>Your account is scheduled for deletion on ${formatDate(user.deleteAt)}. Use “Keep my account” above to cancel.</p>`
  : h`<p>Your account is deleted after a ${config.deletion.graceDays}-day grace period, during which you can change your mind.</p>
<div class="actions"><a class="button danger" href="${pagePath(config, 'delete')}">Delete my account…</a></div>`}
</section>`
}
