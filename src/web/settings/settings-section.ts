import type { HttpContext, HttpDeps } from '../../http/http-env.ts'
import type { Html } from '../html.ts'
import type { Current } from '../current.ts'
import type { SettingsState } from './settings-state.ts'

/**
 * One section of the settings page. Core's come first (account, email, password, sessions, data);
 * each enabled feature's follow, in the order the features are listed; “Delete account” is last. A section reads what it
 * shows through the facade and posts to its own page; a failed post re-renders the settings page
 * with `state.section === id`.
 */
export interface SettingsSection {
  /** The section's id: its anchor (`#id`) and the `section` of a failed post's state. */
  id: string
  /** Rendered only when this returns true (default: always), e.g. hidden while a password change is required. */
  when?(current: Current): boolean
  render(c: HttpContext, deps: HttpDeps, current: Current, state: SettingsState | null): Html | Promise<Html>
}
