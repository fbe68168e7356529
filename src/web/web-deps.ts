import type { HttpContext, HttpDeps } from '../http/http-env.ts'
import type { Current } from './current.ts'
import type { Form } from './read-form.ts'
import type { Html } from './html.ts'
import type { SettingsSection } from './settings/settings-section.ts'
import type { SudoAction } from './sudo-action.ts'

/** A signed-in page whose POST resumes after the sudo prompt (it declares `sudo`). */
export interface ResumablePage {
  /** Its path under `pagesPath`: what the prompt carries to name it. */
  path: string
  sudo: SudoAction
  post(c: HttpContext, deps: WebDeps, form: Form, current: Current): Promise<Response> | Response
}

/**
 * Another way to sign in, offered on the log-in page under its form (a feature's: a passkey
 * button). Core names none; each enabled feature may contribute some, in the order listed.
 */
export interface SignInOption {
  /** What the log-in page shows for it, under the form. */
  render(deps: HttpDeps): Html
  /** What the sign-up page shows for it, under its form (omitted: not offered there). "Sign up with GitHub". */
  renderSignUp?(deps: HttpDeps): Html
  /** Inline scripts it needs on the pages that show it, allowed by hash in those pages' CSP. */
  scripts?: readonly string[]
  /** Tokens added to the login field's `autocomplete` (`webauthn`: the browser offers passkeys in its autofill). */
  loginAutocomplete?: string
}

/**
 * An item a feature adds to the header's navigation for signed-in users (the organizations feature:
 * its switcher), rendered before “Settings”. Read once per page view, before the page runs.
 */
export interface HeaderItem {
  render(c: HttpContext, deps: HttpDeps, current: Current): Html | Promise<Html>
}

/** What pages get: the HTTP dependencies plus the settings page's sections (core's, then each feature's). */
export interface WebDeps extends HttpDeps {
  /** The enabled features' header items (none without features). */
  headerItems?: readonly HeaderItem[]
  settings: readonly SettingsSection[]
  /** Other ways to sign in the enabled features offer on the log-in page (none without features). */
  signInOptions?: readonly SignInOption[]
  /** The mounted page at `path` that declared itself resumable, or null: a registry lookup, never a URL. */
  resumable(path: string): ResumablePage | null
}
