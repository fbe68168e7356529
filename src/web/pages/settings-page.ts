import { definePage } from '../page.ts'
import { settingsView } from '../settings/settings-view.ts'

/** Account settings: address, email change, password, devices, data, deletion. */
export const settingsPage = definePage({
  path: '/settings',
  auth: true,
  step: 'password_change',
  get: (c, deps, current) => settingsView(c, deps, current),
})
