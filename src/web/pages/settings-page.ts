import { definePage } from '../page.ts'
import { settingsView } from '../settings/settings-view.ts'

/** Account settings: address, email change, password, devices, data, deletion. */
export const settingsPage = definePage({
  path: '/settings',
  auth: true,
  step: 'password_change',
  get: (c, deps, current) => {
    // An address typed before the sudo prompt comes back in the query, to be shown again (never acted on).
    const carried = c.req.query('new_email')
    return settingsView(c, deps, current, carried && carried.length <= 254 ? { section: 'email', failure: null, status: 200, values: { email: carried } } : null)
  },
})
