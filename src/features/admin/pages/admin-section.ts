import { forRequest } from '../../../http/request-meta.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { SettingsSection } from '../../../web/settings/settings-section.ts'
import type { AdminApi } from '../api.ts'

/** “Administration” on the settings page, for operators (`users:read`) only: the way to the admin pages. */
export function adminSection(api: AdminApi): SettingsSection {
  return {
    id: 'admin',
    async render(_c, deps, current) {
      const admin = forRequest(api, deps)
      if (!(await admin.authority(current.user, { permission: 'users:read' }))) return h``
      const audit = await admin.authority(current.user, { permission: 'audit:read' })
      return h`<section class="card" id="admin" aria-labelledby="admin-title">
<h2 id="admin-title">Administration</h2>
<p>Manage user accounts${audit ? ' and read the audit log' : ''}.</p>
<div class="actions"><a class="button secondary" href="${pagePath(deps.config, 'admin/users')}">Users</a>${audit ? h`<a class="button secondary" href="${pagePath(deps.config, 'admin/audit')}">Audit log</a>` : ''}</div>
</section>`
    },
  }
}
