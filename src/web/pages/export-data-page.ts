import { statusFor } from '../../http/error-status.ts'
import { definePage } from '../page.ts'
import { pagePath } from '../page-path.ts'
import { settingsView } from '../settings/settings-view.ts'
import { sudoRedirect } from './sudo-redirect.ts'

/** Downloads the user's data export (sudo) as a JSON file. */
export const exportDataPage = definePage({
  path: '/export',
  auth: true,
  async post(c, deps, _form, current) {
    const result = await deps.sigra.account.exportUserData(current.user, { session: current.session })
    if (!result.ok && result.error === 'sudo_required') return sudoRedirect(c, deps, `${pagePath(deps.config, 'settings')}#data`)
    if (!result.ok) return settingsView(c, deps, current, { section: 'data', failure: result, status: statusFor(result.error) })
    const day = result.data.exportedAt.slice(0, 10)
    return new Response(JSON.stringify(result.data, null, 2), {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="account-data-${day}.json"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    })
  },
})
