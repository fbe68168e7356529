import type { Page } from '../../../web/page.ts'
import type { AdminApi } from '../api.ts'
import type { AdminSettings } from '../options.ts'
import { auditExplorerPage } from './audit-explorer-page.ts'
import { deleteUserPage } from './delete-user-page.ts'
import { impersonatePage } from './impersonate-page.ts'
import { userActionPages } from './user-action-pages.ts'
import { userDetailPage } from './user-detail-page.ts'
import { usersListPage } from './users-list-page.ts'

/**
 * The admin pages under `pagesPath`: the users list (`admin/users`), a user's page with its forms
 * (`admin/users/<id>`), deletion and impersonation (sudo-gated), and the audit explorer
 * (`admin/audit`). Authority is the domain's: each page shows what its call answers. See docs/admin.md.
 */
export function adminPages(api: AdminApi, settings: AdminSettings): Page[] {
  // The fixed paths first: `admin/users/delete` is a page, not a user id.
  return [
    usersListPage(api, settings),
    deleteUserPage(api, settings),
    impersonatePage(api, settings),
    userDetailPage(api, settings),
    ...userActionPages(api, settings),
    auditExplorerPage(api),
  ]
}
