import type { HttpDeps } from '../http/http-env.ts'
import type { SettingsSection } from './settings/settings-section.ts'

/** What pages get: the HTTP dependencies plus the settings page's sections (core's, then each feature's). */
export interface WebDeps extends HttpDeps {
  settings: readonly SettingsSection[]
}
