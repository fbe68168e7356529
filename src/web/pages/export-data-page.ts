import { statusFor } from '../../http/error-status.ts'
import { definePage, type Page } from '../page.ts'
import { settingsView } from '../settings/settings-view.ts'
import { sudoPrompt } from './sudo-prompt.ts'

/** Downloads the user's data export (sudo, resumed after the prompt) as a JSON file. */
export const exportDataPage: Page = definePage({
  path: '/export',
  auth: true,
  sudo: { label: 'download your data' },
  async post(c, deps, form, current) {
    const result = await deps.sigra.account.exportUserData(current.user, { session: current.session })
    if (!result.ok && result.error === 'sudo_required') return sudoPrompt(c, deps, exportDataPage, form)
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
