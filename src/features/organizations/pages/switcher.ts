import { forRequest } from '../../../http/request-meta.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { HeaderItem } from '../../../web/web-deps.ts'
import { passedSecondFactor } from '../active.ts'
import type { OrgsApi } from '../api.ts'

/**
 * The organization switcher in the header, for a signed-in user: a link to the organizations page
 * and, with organizations to choose from, a labelled select with a Switch button (a plain form:
 * keyboard and no-script friendly). The selected one is the session's active organization.
 */
export function organizationSwitcher(api: OrgsApi): HeaderItem {
  return {
    async render(c, deps, current) {
      const mine = await forRequest(api, deps).list(current.user)
      const link = h`<li><a href="${pagePath(deps.config, 'orgs')}">Organizations</a></li>`
      if (mine.length === 0) return link
      // What the gate would answer, from what is already at hand: a member, and the MFA policy met.
      const activeId = mine.find((o) => o.id === current.session.activeOrganizationId && (!o.requireMfa || passedSecondFactor(current.session.amr)))?.id ?? ''
      // Back to this page, without its one-time notice.
      const back = new URL(c.req.url)
      back.searchParams.delete('done')
      back.searchParams.delete('notice')
      return h`${link}<li><form method="post" action="${pagePath(deps.config, 'orgs/switch')}" class="switcher">
<input type="hidden" name="return_to" value="${`${back.pathname}${back.search}`}">
<label for="org-switcher" class="sr-only">Active organization</label>
<select id="org-switcher" name="organization">${activeId === '' ? h`<option value="" selected>No organization</option>` : ''}${mine.map((o) => h`<option value="${o.id}"${o.id === activeId ? h` selected` : ''}>${o.name}</option>`)}</select>
<button type="submit" class="secondary">Switch</button>
</form></li>`
    },
  }
}
