import type { HttpContext } from '../http/http-env.ts'
import type { Current } from './current.ts'
import type { Form } from './read-form.ts'
import type { SudoAction } from './sudo-action.ts'
import type { WebDeps } from './web-deps.ts'

export type { Current } from './current.ts'

/**
 * One page: its path under `pagesPath`, a GET that renders and/or a POST that parses the form,
 * calls one facade function, and redirects (303) or re-renders with the errors. `auth` pages
 * send visitors without a session to the login page (GET) or refuse the form (POST); a session held
 * at a sign-in step is sent to that step's page unless the page names the step in `step`.
 */
export interface Page {
  path: string
  auth?: boolean
  /** A sign-in step whose sessions this page serves (the forced password change: the settings page). */
  step?: string
  /** A sudo-gated POST that resumes after the password prompt (signed-in pages only): see `SudoAction`. */
  sudo?: SudoAction
  get?(c: HttpContext, deps: WebDeps, current: Current | null): Promise<Response> | Response
  post?(c: HttpContext, deps: WebDeps, form: Form, current: Current | null): Promise<Response> | Response
}

/** A page whose handlers always get a session. */
export interface AuthPage {
  path: string
  auth: true
  step?: string
  sudo?: SudoAction
  get?(c: HttpContext, deps: WebDeps, current: Current): Promise<Response> | Response
  post?(c: HttpContext, deps: WebDeps, form: Form, current: Current): Promise<Response> | Response
}

export function definePage(page: Page & { auth?: false }): Page
export function definePage(page: AuthPage): Page
export function definePage(page: Page | AuthPage): Page {
  return page as Page
}
