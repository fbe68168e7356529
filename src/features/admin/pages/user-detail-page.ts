import { definePage, type Page } from '../../../web/page.ts'
import type { AdminApi } from '../api.ts'
import type { AdminSettings } from '../options.ts'
import { userDetailView } from './user-detail-view.ts'

/** One user's page (`users:read`; 403 otherwise, 404 for no such live account). */
export function userDetailPage(api: AdminApi, settings: AdminSettings): Page {
  return definePage({
    path: '/admin/users/:id',
    auth: true,
    get: (c, deps, current) => userDetailView(c, deps, api, settings, current, c.req.param('id') ?? ''),
  })
}
