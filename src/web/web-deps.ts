import type { HttpContext, HttpDeps } from '../http/http-env.ts'
import type { Current } from './current.ts'
import type { Form } from './read-form.ts'
import type { SettingsSection } from './settings/settings-section.ts'
import type { SudoAction } from './sudo-action.ts'

/** A signed-in page whose POST resumes after the sudo prompt (it declares `sudo`). */
export interface ResumablePage {
  /** Its path under `pagesPath`: what the prompt carries to name it. */
  path: string
  sudo: SudoAction
  post(c: HttpContext, deps: WebDeps, form: Form, current: Current): Promise<Response> | Response
}

/** What pages get: the HTTP dependencies plus the settings page's sections (core's, then each feature's). */
export interface WebDeps extends HttpDeps {
  settings: readonly SettingsSection[]
  /** The mounted page at `path` that declared itself resumable, or null: a registry lookup, never a URL. */
  resumable(path: string): ResumablePage | null
}
