import { forRequest } from '../../../http/request-meta.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { SettingsSection } from '../../../web/settings/settings-section.ts'
import type { OrgsApi } from '../api.ts'

/** "Organizations" on the settings page: the user's organizations and roles, and where to manage them. */
export function organizationsSection(api: OrgsApi): SettingsSection {
  return {
    id: 'organizations',
    async render(_c, deps, current) {
      const mine = await forRequest(api, deps).list(current.user)
      return h`<section class="card" id="organizations" aria-labelledby="organizations-title">
<h2 id="organizations-title">Organizations</h2>
${mine.length === 0
  ? h`<p class="muted">You are not in any organization.</p>`
  : h`<ul class="sessions">${mine.map((o) => h`<li><div><a href="${pagePath(deps.config, `orgs/${o.slug}`)}"><strong>${o.name}</strong></a>${current.session.activeOrganizationId === o.id ? h` <span class="tag">active</span>` : ''}<br><span class="muted">${o.role}</span></div></li>`)}</ul>`}
<div class="actions"><a class="button secondary" href="${pagePath(deps.config, 'orgs')}">Manage organizations</a></div>
</section>`
    },
  }
}
